// Small labelled pieces shared by the queue, the incident page and the map popups.
import { h } from './dom.js';
import { t, label, language, formatPercent, formatDay } from './i18n.js';

export const stateBadge = (state) => h('span', { class: `state state-${state}` }, label('state', state));
export const stanceBadge = (stance) =>
  stance ? h('span', { class: `stance stance-${stance}` }, label('stance', stance)) : null;
export const termList = (terms) =>
  h(
    'ul',
    { class: 'chips' },
    (terms ?? []).map((id) => h('li', {}, label('term', id))),
  );
export const partyList = (parties) => (parties ?? []).map((p) => label('party', p)).join(', ') || '–';
export const confidence = (x) => formatPercent(x);

/** A place in the page's script: the gazetteer's Arabic name on the Arabic pages, the stored name otherwise. */
export const placeLabel = (i) => (language() === 'ar' ? (i.placeNameAr ?? i.placeName) : i.placeName) ?? null;

/**
 * A one-line name for an incident. English keeps the stored summary (the pipeline writes it in English, with the
 * casualties); Arabic, and any incident without a summary, gets one written here from the same facts.
 */
export function incidentName(i) {
  if (language() === 'en' && i.summary) return i.summary;
  const sep = language() === 'ar' ? '، ' : ', ';
  const terms = (i.terms ?? []).filter((x) => x !== 'none').map((x) => label('term', x));
  const what = terms.length
    ? i.stance
      ? t('incident.nameHead', { stance: label('stance', i.stance), terms: terms.join(sep) })
      : terms.join(sep)
    : (i.terms ?? []).includes('none')
      ? label('term', 'none')
      : null;
  const place = placeLabel(i);
  const parts = [
    what,
    place ? t('incident.nameNear', { place }) : null,
    i.reportCount ? t('incident.reportCount', { count: i.reportCount }) : null,
    i.firstObservedAt ? formatDay(i.firstObservedAt) : null,
  ].filter(Boolean);
  return what || place ? parts.join(' · ') : t('incident.untitled');
}
