// The audit log for the commission and admins: every recorded action in words, newest first, filtered by action,
// kind of thing, its id (the short id works), who acted and the days; "Older entries" pages on by the chain's order.
import { $, h, listLoads } from './dom.js';
import { t, label, formatDateTime } from './i18n.js';
import { auditActions, auditLog, describeError } from './api.js';
import { historyWords, incidentLink, shortId } from './history.js';

// The kinds of thing the server records rows about; the actions come from the server (GET /api/audit/actions).
const ENTITY_TYPES = [
  'incident',
  'report',
  'user',
  'api_token',
  'digest',
  'export',
  'job',
  'model_version',
  'saved_filter',
];

const view = { items: [], people: {}, nextCursor: null, actions: [] };
const auditLoad = listLoads('audit-table');

const options = (select, values, kind) => {
  const keep = select.value;
  select.replaceChildren(
    h('option', { value: '' }, t('filters.any')),
    ...values.map((v) => h('option', { value: v }, label(kind, v))),
  );
  select.value = keep;
};

function filters() {
  const f = Object.fromEntries(new FormData($('audit-form')));
  return Object.fromEntries(Object.entries(f).filter(([, v]) => String(v).trim()));
}

const who = (r) => r.actorName ?? t('history.system');

/** What happened, in words: an incident's row as its history says it, any other as "who: action". */
function words(r) {
  if (r.entityType === 'incident') return historyWords(r, r.entityId, view.people);
  return [t('history.other', { who: who(r), action: label('action', r.action) })];
}

function concerning(r) {
  const kind = label('entity', r.entityType);
  if (!r.entityId) return kind;
  if (r.entityType === 'incident') return [kind, ' ', incidentLink(r.entityId)];
  return [kind, ' ', h('code', { class: 'id', title: r.entityId }, `#${shortId(r.entityId)}`)];
}

function render() {
  $('audit-rows').replaceChildren(
    ...view.items.map((r) =>
      h(
        'tr',
        { dataset: { seq: r.seq, action: r.action } },
        h('td', {}, h('time', { datetime: r.at }, formatDateTime(r.at))),
        h('td', { class: 'words' }, ...words(r)),
        h('td', {}, ...[concerning(r)].flat()),
      ),
    ),
  );
  $('audit-more').hidden = !view.nextCursor;
  $('audit-message').textContent = view.items.length
    ? t('audit.shown', { count: view.items.length })
    : t('audit.empty');
}

export async function loadAuditLog({ more = false } = {}) {
  const load = auditLoad();
  if (!view.actions.length) {
    view.actions = (await auditActions().catch(() => ({ actions: [] }))).actions;
    relabelAuditLog();
  }
  $('audit-message').textContent = t('queue.loading');
  try {
    const page = await auditLog({ ...filters(), cursor: more ? view.nextCursor : undefined });
    if (!load.current()) return;
    view.items = more ? [...view.items, ...page.items] : page.items;
    view.people = { ...view.people, ...page.people };
    view.nextCursor = page.nextCursor;
    render();
  } catch (err) {
    if (load.current()) $('audit-message').textContent = describeError(err, t);
  } finally {
    load.end();
  }
}

export function relabelAuditLog() {
  options($('audit-action'), view.actions, 'action');
  options($('audit-entity-type'), ENTITY_TYPES, 'entity');
  if (!$('view-audit').hidden) render();
}

export function wireAuditLog() {
  relabelAuditLog();
  $('audit-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadAuditLog();
  });
  $('audit-form').addEventListener('reset', () => setTimeout(() => loadAuditLog()));
  $('audit-more').addEventListener('click', () => loadAuditLog({ more: true }));
}
