// What an observer added to a report after sending it, shown on the incident page with the report.
import { h } from './dom.js';
import { t, formatDateTime } from './i18n.js';

/** What the observer added after sending (answers to a request for more information, later notes). */
export function reportAdditions(r) {
  if (!r.additions?.length) return null;
  return h(
    'section',
    { class: 'report-additions', 'aria-label': t('addition.heading') },
    h('h4', {}, t('addition.heading')),
    h(
      'ol',
      {},
      r.additions.map((a) =>
        h(
          'li',
          {},
          h(
            'span',
            { class: 'note' },
            t(a.answersRequest ? 'addition.answered' : 'addition.added', { when: formatDateTime(a.createdAt) }),
            a.attachments.length ? ` · ${t('addition.files', { count: a.attachments.length })}` : '',
          ),
          a.text ? h('p', { dir: 'auto' }, a.text) : null,
        ),
      ),
    ),
  );
}
