// Small labelled pieces shared by the queue, the incident page and the map popups.
import { h } from './dom.js';
import { t, label, formatPercent } from './i18n.js';

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

/** A one-line name for an incident when it has no summary yet. */
export const incidentName = (i) =>
  i.summary ||
  [i.placeName, (i.terms ?? []).map((x) => label('term', x)).join(', ')].filter(Boolean).join(' — ') ||
  t('incident.untitled');
