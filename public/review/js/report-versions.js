// A report its observer edited after sending (ODK Collect's edit of a sent form): which version the page shows, and
// what each earlier version said as filed, so a reviewer sees what changed and nothing the field sent is hidden.
import { h } from './dom.js';
import { t, formatDateTime, formatNumber } from './i18n.js';

const label = (prefix, key) => t(`${prefix}.${key}`);

function casualties(c) {
  if (!c) return '';
  return Object.entries(c)
    .filter(([, n]) => n)
    .map(([k, n]) => `${label('cas', k)} ${formatNumber(n)}`)
    .join(', ');
}

/** Null for a report never edited. */
export function reportVersions(r) {
  if (!(r.version > 1) || !r.versions?.length) return null;
  return h(
    'section',
    { class: 'report-versions', 'aria-label': t('version.heading', { version: formatNumber(r.version) }) },
    h('h4', {}, t('version.heading', { version: formatNumber(r.version) })),
    h(
      'details',
      {},
      h('summary', {}, t('version.earlier', { count: r.versions.length })),
      h(
        'ol',
        {},
        r.versions.map((v) =>
          h(
            'li',
            { dataset: { version: String(v.version) } },
            h(
              'span',
              { class: 'note' },
              t('version.item', { version: formatNumber(v.version), when: formatDateTime(v.replacedAt) }),
            ),
            h(
              'dl',
              { class: 'kv-grid' },
              h('dt', {}, t('report.observedAt')),
              h('dd', {}, formatDateTime(v.observedAt)),
              h('dt', {}, t('report.place')),
              h('dd', { dir: 'auto' }, v.placeName ?? '–'),
              h('dt', {}, t('report.party')),
              h('dd', {}, label('party', v.partyAlleged)),
              v.casualties ? h('dt', {}, t('report.casualties')) : null,
              v.casualties ? h('dd', {}, casualties(v.casualties)) : null,
            ),
            h('blockquote', { class: 'narrative', dir: 'auto' }, v.narrative),
          ),
        ),
      ),
    ),
  );
}
