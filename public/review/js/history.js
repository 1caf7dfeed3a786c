// An incident's history in words: who did what, to whom, from which state to which; incidents named by the short
// id shown everywhere and linked. The audit rows keep the exact before/after; the page says what they mean.
import { h } from './dom.js';
import { t, label, formatDateTime, language } from './i18n.js';

export const shortId = (id) => String(id ?? '').slice(0, 8);
export const incidentLink = (id) =>
  h('a', { href: `#incident/${id}`, class: 'incident-ref', dir: 'ltr' }, `#${shortId(id)}`);

const list = (items) => items.join(language() === 'ar' ? '، ' : ', ');
const who = (row) => row.actorName ?? t('history.system');

// A sentence with {placeholders}: plain values (and `count`, which picks the plural form) go through t(); DOM
// nodes (links) are put in place afterwards, so the translation decides where they stand.
export function sentenceWith(key, params) {
  const nodes = Object.fromEntries(Object.entries(params).filter(([, v]) => v instanceof Node));
  const text = t(key, { ...params, ...Object.fromEntries(Object.keys(nodes).map((k) => [k, `\u0000${k}\u0000`])) });
  return text.split('\u0000').map((part, i) => (i % 2 ? nodes[part] : part));
}

/** The words for one audit row, seen from the incident `selfId` the page shows. */
export function historyWords(row, selfId, people = {}) {
  const b = row.before ?? {};
  const a = row.after ?? {};
  const name = (id) => (id ? (people[id] ?? shortId(id)) : null);
  switch (row.action) {
    case 'incident_state_changed':
      return sentenceWith(a.note ? 'history.stateNote' : 'history.state', {
        who: who(row),
        from: label('state', b.state),
        to: label('state', a.state),
        note: a.note ?? '',
      });
    case 'incident_assigned':
      return a.assigneeId
        ? sentenceWith('history.assigned', { who: who(row), to: name(a.assigneeId) })
        : sentenceWith('history.unassigned', { who: who(row), from: name(b.assigneeId) ?? '–' });
    case 'incident_corrected': {
      const c = a.correction ?? a;
      return sentenceWith('history.corrected', {
        who: who(row),
        terms: list((c.terms ?? a.terms ?? []).map((x) => label('term', x))) || '–',
        stance: c.stance ? label('stance', c.stance) : '–',
      });
    }
    case 'comment_added':
      return sentenceWith('history.comment', { who: who(row) });
    case 'incident_merged': {
      const moved = a.movedReportIds?.length ?? 0;
      if (row.entityId === selfId)
        return sentenceWith('history.mergedHere', { who: who(row), other: incidentLink(a.mergedId), count: moved });
      return sentenceWith('history.mergedAway', { who: who(row), target: incidentLink(row.entityId), count: moved });
    }
    case 'report_split': {
      const count = a.reportIds?.length ?? 0;
      if (row.entityId === selfId)
        return sentenceWith('history.splitOut', { who: who(row), count, other: incidentLink(a.newIncidentId) });
      return sentenceWith('history.splitFrom', { who: who(row), count, source: incidentLink(row.entityId) });
    }
    case 'report_joined':
      return sentenceWith('history.reportJoined', { state: label('state', b.state ?? 'verified') });
    default:
      return [t('history.other', { who: who(row), action: label('action', row.action) })];
  }
}

export function historySection(rows, selfId, people) {
  return h(
    'section',
    { class: 'box', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, t('incident.history')),
    rows?.length
      ? h(
          'ol',
          { class: 'history' },
          rows.map((r) =>
            h(
              'li',
              { dataset: { action: r.action } },
              h('time', { datetime: r.at, class: 'note' }, formatDateTime(r.at)),
              ' ',
              h('span', { class: 'words' }, ...historyWords(r, selfId, people)),
            ),
          ),
        )
      : h('p', { class: 'note' }, t('incident.noHistory')),
  );
}
