// One report on the incident page: narrative (evidence marked, in its own direction), classification,
// assignment score and reasons, attachments with thumbnails and EXIF beside the reported time/position.
import { h } from './dom.js';
import { t, label, formatDateTime, formatNumber, formatPercent } from './i18n.js';
import { markedNarrative, exifCheck, reportPosition } from './evidence.js';
import { reasonText } from './reasons.js';
import { reportFlags } from './report-flags.js';
import { reportAdditions } from './report-additions.js';
import { reportVersions } from './report-versions.js';

const coords = (p) =>
  p
    ? `${formatNumber(p.lat, { maximumFractionDigits: 4 })}, ${formatNumber(p.lon, { maximumFractionDigits: 4 })}`
    : '–';
const kv = (key, ...value) => [h('dt', {}, t(key)), h('dd', {}, ...value)];

function classification(c) {
  if (!c) return h('p', { class: 'note' }, t('report.notClassified'));
  return h(
    'div',
    { class: 'classification' },
    h(
      'ul',
      { class: 'chips' },
      c.terms.map((x) =>
        h('li', {}, label('term', x.id), ' ', h('span', { class: 'conf' }, formatPercent(x.confidence))),
      ),
    ),
    h(
      'p',
      { class: 'note' },
      t('report.stance', { stance: label('stance', c.stance) }),
      c.corrected ? h('span', { class: 'tag' }, t('incident.corrected')) : null,
    ),
  );
}

function assignment(a) {
  if (!a) return null;
  return h(
    'div',
    { class: 'assignment' },
    h(
      'p',
      {},
      h('strong', {}, t('report.assignment')),
      ' ',
      a.score === null || a.score === undefined ? '–' : formatNumber(a.score, { maximumFractionDigits: 2 }),
    ),
    a.reasons?.length
      ? h(
          'ul',
          { class: 'reasons' },
          a.reasons.map((r) => {
            const { text, known } = reasonText(typeof r === 'string' ? r : JSON.stringify(r), a.places);
            return h('li', known ? {} : { lang: 'en', dir: 'ltr' }, ...reasonParts(text));
          }),
        )
      : null,
  );
}

// Reasons name other incidents by id ("also matches incident <id>"): those become links to them, so a reviewer
// can compare and merge.
const INCIDENT_ID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
function reasonParts(text) {
  const parts = [];
  let at = 0;
  for (const m of text.matchAll(INCIDENT_ID)) {
    parts.push(text.slice(at, m.index), h('a', { href: `#incident/${m[0]}`, class: 'incident-ref' }, m[0].slice(0, 8)));
    at = m.index + m[0].length;
  }
  parts.push(text.slice(at));
  return parts;
}

function attachment(report, a) {
  const image = a.mime?.startsWith('image/');
  const check = exifCheck(report, a);
  const warnings = [
    check.farApart ? t('exif.farApart', { km: formatNumber(check.km, { maximumFractionDigits: 1 }) }) : null,
    check.timeApart ? t('exif.timeApart', { hours: formatNumber(check.hours, { maximumFractionDigits: 1 }) }) : null,
  ].filter(Boolean);
  return h(
    'li',
    { class: warnings.length ? 'attachment disagree' : 'attachment' },
    h(
      'a',
      { href: a.url ?? `/api/attachments/${a.id}`, target: '_blank', rel: 'noopener' },
      image
        ? h('img', {
            src: `/api/attachments/${a.id}/thumbnail`,
            alt: t('exif.thumbAlt', { name: a.originalName }),
            width: 160,
          })
        : h('span', { class: 'file' }, a.originalName),
    ),
    h(
      'table',
      { class: 'exif' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}),
          h('th', { scope: 'col' }, t('exif.reported')),
          h('th', { scope: 'col' }, t('exif.exif')),
        ),
      ),
      h(
        'tbody',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t('exif.time')),
          h('td', {}, formatDateTime(report.observedAt)),
          h('td', {}, a.exifTakenAt ? formatDateTime(a.exifTakenAt) : t('exif.none')),
        ),
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, t('exif.position')),
          h('td', { dir: 'ltr' }, coords(reportPosition(report))),
          h(
            'td',
            { dir: 'ltr' },
            Number.isFinite(a.exifLat) ? coords({ lat: a.exifLat, lon: a.exifLon }) : t('exif.none'),
          ),
        ),
      ),
    ),
    warnings.map((w) => h('p', { class: 'warning', role: 'note' }, '⚠ ', w)),
  );
}

export function reportCard(r, { selected, onSelect }) {
  const dir = r.language === 'ar' ? 'rtl' : 'ltr';
  const cas = r.casualties
    ? Object.entries(r.casualties)
        .filter(([, n]) => n)
        .map(([k, n]) => `${label('cas', k)} ${formatNumber(n)}`)
        .join(', ')
    : '';
  return h(
    'article',
    {
      class: 'report',
      'aria-label': t('report.label', {
        place: r.placeName ?? r.resolvedPlace ?? '',
        when: formatDateTime(r.observedAt),
      }),
      dataset: { id: r.id },
    },
    h(
      'label',
      { class: 'split-pick' },
      h('input', { type: 'checkbox', checked: selected, on: { change: (ev) => onSelect(r.id, ev.target.checked) } }),
      ' ',
      t('report.pickForSplit'),
    ),
    reportFlags(r),
    h(
      'dl',
      { class: 'kv-grid' },
      kv('report.observedAt', formatDateTime(r.observedAt)),
      kv('report.place', h('span', { dir: 'auto' }, r.placeName ?? r.resolvedPlace ?? '–')),
      kv('report.position', h('span', { dir: 'ltr' }, coords(reportPosition(r)))),
      kv('report.party', label('party', r.partyAlleged)),
      cas ? kv('report.casualties', cas) : null,
      kv('report.language', r.language ? label('lang', r.language) : '–'),
    ),
    h(
      'blockquote',
      { class: 'narrative', dir, lang: r.language ?? undefined },
      markedNarrative(r.narrative, r.classification?.terms),
    ),
    reportVersions(r),
    reportAdditions(r),
    classification(r.classification),
    assignment(r.assignment),
    r.attachments?.length
      ? h(
          'ul',
          { class: 'attachments' },
          r.attachments.map((a) => attachment(r, a)),
        )
      : null,
  );
}
