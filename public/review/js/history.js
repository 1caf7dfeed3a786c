// An incident's history in words: who did what, to whom, from which state to which; incidents named by the short
// id shown everywhere and linked. The audit rows keep the exact before/after; the page says what they mean.
import { h } from './dom.js';
import { t, label, formatDateTime, formatNumber, language } from './i18n.js';

export const shortId = (id) => String(id ?? '').slice(0, 8);
export const incidentLink = (id) =>
  h('a', { href: `#incident/${id}`, class: 'incident-ref', dir: 'ltr' }, `#${shortId(id)}`);

const list = (items) => items.join(language() === 'ar' ? '، ' : ', ');
const who = (row) => row.actorName ?? t('history.system');

// A sentence with {placeholders}: text pieces become strings, and any value that is a DOM node (a link) is kept.
function sentence(key, params) {
  const text = t(key, Object.fromEntries(Object.keys(params).map((k) => [k, `\u0000${k}\u0000`])));
  return text.split('\u0000').map((part, i) => (i % 2 ? params[part] : part));
}

/** The words for one audit row, seen from the incident `selfId` the page shows. */
export function historyWords(row, selfId, people = {}) {
  const b = row.before ?? {};
  const a = row.after ?? {};
  const name = (id) => (id ? (people[id] ?? shortId(id)) : null);
  switch (row.action) {
    case 'incident_state_changed':
      return sentence(a.note ? 'history.stateNote' : 'history.state', {
        who: who(row),
        from: label('state', b.state),
        to: label('state', a.state),
        note: a.note ?? '',
      });
    case 'incident_assigned':
      return a.assigneeId
        ? sentence('history.assigned', { who: who(row), to: name(a.assigneeId) })
        : sentence('history.unassigned', { who: who(row), from: name(b.assigneeId) ?? '–' });
    case 'incident_corrected': {
      const c = a.correction ?? a;
      return sentence('history.corrected', {
        who: who(row),
        terms: list((c.terms ?? a.terms ?? []).map((x) => label('term', x))) || '–',
        stance: c.stance ? label('stance', c.stance) : '–',
      });
    }
    case 'comment_added':
      return sentence('history.comment', { who: who(row) });
    case 'incident_merged': {
      const moved = formatNumber(a.movedReportIds?.length ?? 0);
      if (row.entityId === selfId)
        return sentence('history.mergedHere', { who: who(row), other: incidentLink(a.mergedId), count: moved });
      return sentence('history.mergedAway', { who: who(row), target: incidentLink(row.entityId), count: moved });
    }
    case 'report_split': {
      const count = formatNumber(a.reportIds?.length ?? 0);
      if (row.entityId === selfId)
        return sentence('history.splitOut', { who: who(row), count, other: incidentLink(a.newIncidentId) });
      return sentence('history.splitFrom', { who: who(row), count, source: incidentLink(row.entityId) });
    }
    case 'report_joined':
      return sentence('history.reportJoined', { state: label('state', b.state ?? 'verified') });
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
