// The queue: incidents matching the filters, state tabs with counts, sort, keyset "more", selection and
// bulk actions (state, assign).
import { $, h, flash, listLoads } from './dom.js';
import { t, label, formatNumber, formatAge, formatDateTime } from './i18n.js';
import { listIncidents, bulk, describeError, query } from './api.js';
import { apiFilters, setFilters } from './filters.js';
import { STATES } from './vocab.js';
import { stateBadge, stanceBadge, termList, partyList, confidence, incidentName, placeLabel } from './badges.js';
import { assigneeOptions } from './people.js';
import { savedFilters } from './saved-filters.js';

const SORT_KEY = 'review.sort';
const STATE_KEY = 'review.state';
const view = { items: [], nextCursor: null, counts: null, selected: new Set() };
// A slower earlier request must not overwrite the answer to a later one (filters changed meanwhile).
const queueLoad = listLoads('queue-table');

const activeState = () => sessionStorage.getItem(STATE_KEY) ?? 'new';
let saved = null;

/** What a saved queue filter keeps: the filters, the state tab and the sort. */
const queueSelection = () => ({ ...apiFilters(), state: activeState() || undefined, sort: $('sort').value });

/** A saved queue filter put in use: its state tab and sort, then its filters (which reload the queue or the map). */
function useQueueSelection({ state, sort, ...filters }) {
  sessionStorage.setItem(STATE_KEY, state ?? '');
  $('sort').value = sort ?? '-severity';
  localStorage.setItem(SORT_KEY, $('sort').value);
  setFilters(filters);
}

/** The member's saved queue filters, read again whenever the queue or the map opens. */
export const loadSavedQueueFilters = () => saved?.load();

function renderTabs() {
  const counts = view.counts ?? {};
  const total = STATES.reduce((n, s) => n + (counts[s] ?? 0), 0);
  const tab = (state, text, n) =>
    h(
      'button',
      {
        type: 'button',
        class: 'tab',
        'aria-pressed': String(activeState() === state),
        dataset: { state },
        on: {
          click: () => {
            sessionStorage.setItem(STATE_KEY, state);
            loadQueue();
          },
        },
      },
      h('span', {}, text),
      ' ',
      h('span', { class: 'count' }, view.counts ? formatNumber(n) : '…'),
    );
  $('state-tabs').replaceChildren(
    tab('', t('state.all'), total),
    ...STATES.map((s) => tab(s, label('state', s), counts[s] ?? 0)),
  );
}

function row(i) {
  const checked = view.selected.has(i.id);
  const name = incidentName(i);
  return h(
    'tr',
    { dataset: { id: i.id }, class: checked ? 'selected' : '' },
    h(
      'td',
      {},
      h('input', {
        type: 'checkbox',
        checked,
        'aria-label': t('queue.select', { name }),
        on: {
          change: (ev) => {
            toggle(i.id, ev.target.checked);
          },
        },
      }),
    ),
    h(
      'td',
      { class: 'incident-cell' },
      h('a', { href: `#incident/${i.id}`, dir: 'auto' }, name),
      h(
        'div',
        { class: 'meta' },
        stanceBadge(i.stance),
        i.corrected ? h('span', { class: 'tag' }, t('incident.corrected')) : null,
        i.needsReview
          ? h('span', { class: 'tag unsure', title: t('incident.needsReviewHint') }, t('incident.needsReview'))
          : null,
        i.newSinceVerified
          ? h('span', { class: 'tag new-since' }, t('incident.newSince', { count: i.newSinceVerified }))
          : null,
        (i.languages ?? []).map((l) => h('span', { class: 'tag', lang: l }, label('lang', l))),
      ),
    ),
    h('td', {}, stateBadge(i.state)),
    h('td', {}, termList(i.terms)),
    h('td', {}, partyList(i.parties)),
    h('td', { dir: 'auto' }, placeLabel(i) ?? '–'),
    h('td', { class: 'num' }, formatNumber(i.reportCount)),
    h('td', { class: 'num' }, h('span', { class: `sev sev-${i.severity}` }, formatNumber(i.severity))),
    h(
      'td',
      {},
      h(
        'time',
        { datetime: i.firstObservedAt, title: formatDateTime(i.firstObservedAt) },
        formatAge(i.firstObservedAt),
      ),
    ),
    h('td', { class: 'num' }, confidence(i.confidence)),
    h('td', {}, i.assignee?.username ?? '–'),
  );
}

function toggle(id, on) {
  if (on) view.selected.add(id);
  else view.selected.delete(id);
  $('queue-rows').querySelector(`tr[data-id="${id}"]`)?.classList.toggle('selected', on);
  renderBulk();
}

function renderBulk() {
  const n = view.selected.size;
  $('bulk-count').textContent = t('bulk.selected', { count: n });
  for (const id of ['bulk-state', 'bulk-state-apply', 'bulk-assignee', 'bulk-assign-apply']) $(id).disabled = n === 0;
  const all = $('select-all');
  all.checked = n > 0 && view.items.every((i) => view.selected.has(i.id));
  all.indeterminate = n > 0 && !all.checked;
}

function renderRows() {
  $('queue-rows').replaceChildren(...view.items.map(row));
  $('queue-more').hidden = !view.nextCursor;
  $('queue-message').textContent = view.items.length
    ? t('queue.shown', { count: view.items.length })
    : t('queue.empty');
  renderBulk();
}

/** `refresh`: a reload the page did by itself (live updates): the selection of rows still listed is kept. */
export async function loadQueue({ more = false, refresh = false } = {}) {
  const load = queueLoad();
  const params = {
    ...apiFilters(),
    state: activeState() || undefined,
    sort: $('sort').value,
    limit: 50,
    cursor: more ? view.nextCursor : undefined,
  };
  $('queue-message').textContent = t('queue.loading');
  // The export links carry the same filters (and state tab) as the list they sit under.
  const selection = query({ ...params, sort: undefined, limit: undefined, cursor: undefined });
  for (const a of document.querySelectorAll('#queue-exports a[data-export]'))
    a.href = `/api/exports/${a.dataset.export}${selection}`;
  try {
    const page = await listIncidents(params);
    if (!load.current()) return;
    view.items = more ? [...view.items, ...page.items] : page.items;
    if (refresh) {
      const listed = new Set(view.items.map((i) => i.id));
      for (const id of view.selected) if (!listed.has(id)) view.selected.delete(id);
    } else if (!more) view.selected.clear();
    view.nextCursor = page.nextCursor ?? null;
    view.counts = page.counts ?? view.counts;
    renderTabs();
    renderRows();
    saved?.render();
  } catch (err) {
    if (load.current()) $('queue-message').textContent = describeError(err, t);
  } finally {
    load.end();
  }
}

async function runBulk(json) {
  const ids = [...view.selected];
  try {
    const res = await bulk({ ids, ...json });
    const failed = res.errors?.length ?? 0;
    flash(t('bulk.done', { updated: res.updated, failed }), failed ? 'error' : 'ok');
    await loadQueue();
  } catch (err) {
    flash(describeError(err, t), 'error');
  }
}

export function relabelQueue() {
  const keep = $('bulk-state').value;
  $('bulk-state').replaceChildren(...STATES.map((s) => h('option', { value: s }, label('state', s))));
  if (keep) $('bulk-state').value = keep;
  assigneeOptions($('bulk-assignee'));
  renderTabs();
  renderRows();
  saved?.render();
}

export function wireQueue() {
  $('sort').value = localStorage.getItem(SORT_KEY) ?? '-severity';
  $('sort').addEventListener('change', () => {
    localStorage.setItem(SORT_KEY, $('sort').value);
    loadQueue();
  });
  $('queue-more').addEventListener('click', () => loadQueue({ more: true }));
  $('select-all').addEventListener('change', (ev) => {
    for (const i of view.items)
      if (ev.target.checked) view.selected.add(i.id);
      else view.selected.delete(i.id);
    renderRows();
  });
  $('bulk-state-apply').addEventListener('click', () => runBulk({ action: 'state', state: $('bulk-state').value }));
  $('bulk-assign-apply').addEventListener('click', () =>
    runBulk({ action: 'assign', assigneeId: $('bulk-assignee').value || null }),
  );
  saved = savedFilters({ view: 'queue', root: $('queue-saved'), current: queueSelection, apply: useQueueSelection });
  relabelQueue();
}
