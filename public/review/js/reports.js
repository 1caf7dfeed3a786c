// The reports table (#reports): every report, newest observed first, 50 at a time ("More reports"), filtered by dates,
// place (either script), observer, processing status, flags, term, stance, language and source. The filters live in
// the address (#reports?place=…&flagged=true), so a view can be bookmarked and sent; the saved filters sit beside them.
import { $, h, listLoads } from './dom.js';
import { t, label, language, formatDateTime } from './i18n.js';
import { listReports, describeError, query } from './api.js';
import { TERMS, STANCES } from './vocab.js';
import { incidentLink, shortId } from './history.js';
import { flagText } from './report-flags.js';
import { stanceBadge, termList } from './badges.js';
import { savedFilters } from './saved-filters.js';

const FIELDS = ['from', 'to', 'place', 'observer', 'status', 'term', 'stance', 'language', 'source', 'flagged'];
const SELECTS = {
  status: ['reportStatus', ['received', 'processed', 'failed']],
  term: ['term', TERMS],
  stance: ['stance', STANCES],
  language: ['lang', ['en', 'ar']],
  source: ['source', ['web', 'openrosa', 'sms', 'api']],
  // Three ways, not a checkbox: flagged=false (from an address or a saved filter) must show as "not flagged".
  flagged: ['reports.flagged', ['true', 'false']],
};
const PAGE = 50;
const view = { filters: {}, items: [], nextCursor: null };
// A slower earlier answer must not overwrite the answer to later filters.
const reportsLoad = listLoads('reports-table');
let saved = null;

/** The filters an address carries (`place=…&flagged=true`): the known ones that have a value. */
export function filtersOf(search) {
  const params = new URLSearchParams(search ?? '');
  const f = {};
  for (const name of FIELDS) {
    const v = params.get(name)?.trim();
    if (v) f[name] = v;
  }
  return f;
}

/** Shows the filters `f` in the address; the router then loads them (or this does, when the address is the same). */
function go(f) {
  const before = location.hash;
  location.hash = `#reports${query(f)}`;
  if (location.hash === before) loadReports(before.split('?')[1] ?? '');
}

function readForm() {
  const f = {};
  for (const name of FIELDS) {
    const v = $(`r-${name}`).value.trim();
    if (v) f[name] = v;
  }
  return f;
}

function writeForm(f) {
  for (const name of FIELDS) $(`r-${name}`).value = f[name] ?? '';
}

/** The place in both scripts, the page's first, when the gazetteer knows it; as typed when it differs or is unknown. */
function place(r) {
  const g = r.gazetteerPlace;
  const names = g
    ? [h('span', { lang: 'en', dir: 'ltr' }, g.name), h('span', { lang: 'ar', dir: 'rtl' }, g.nameAr)]
    : [];
  if (language() === 'ar') names.reverse();
  const typed = r.placeName && (!g || (r.placeName !== g.name && r.placeName !== g.nameAr)) ? r.placeName : null;
  if (!names.length && !typed) return '–';
  return [
    names.length ? h('span', { class: 'both-scripts' }, names[0], ' · ', names[1]) : null,
    typed
      ? h(
          'div',
          { class: names.length ? 'note' : '', dir: 'auto' },
          names.length ? t('reports.typed', { place: typed }) : typed,
        )
      : null,
  ];
}

function flags(r) {
  if (!r.flags?.length) return '–';
  return h(
    'ul',
    { class: 'flag-list' },
    r.flags.map((f) => h('li', { dataset: { flag: f.code }, title: flagText(f) }, label('flagShort', f.code))),
  );
}

function classification(r) {
  const c = r.classification;
  if (!c) return '–';
  return [
    h(
      'div',
      { class: 'meta' },
      stanceBadge(c.stance),
      c.corrected ? h('span', { class: 'tag' }, t('incident.corrected')) : null,
    ),
    termList(c.terms.map((x) => x.id)),
  ];
}

/** The observer as the API gives them: a username to whoever may see names, else a stable pseudonym. */
function observer(r) {
  if (!r.observerNamed)
    return h('code', { class: 'pseudonym', dir: 'ltr', title: t('reports.pseudonym') }, r.observerName);
  return r.observerName ?? h('code', { class: 'id' }, `#${shortId(r.observerId)}`);
}

function row(r) {
  return h(
    'tr',
    { dataset: { id: r.id } },
    h('td', {}, h('time', { datetime: r.observedAt }, formatDateTime(r.observedAt))),
    h('td', { class: 'place-cell' }, place(r)),
    h('td', { dir: 'auto' }, observer(r)),
    h('td', {}, label('source', r.source)),
    h('td', {}, r.language ? h('span', { lang: r.language }, label('lang', r.language)) : '–'),
    h('td', {}, flags(r)),
    h('td', {}, classification(r)),
    h('td', { class: `status-${r.status}`, title: r.failureReason ?? undefined }, label('reportStatus', r.status)),
    h('td', {}, r.incidentId ? incidentLink(r.incidentId) : '–'),
  );
}

function render() {
  $('reports-rows').replaceChildren(...view.items.map(row));
  $('reports-more').hidden = !view.nextCursor;
  $('reports-message').textContent = view.items.length
    ? t('reports.shown', { count: view.items.length })
    : t('reports.empty');
}

/** Loads the first page of the filters in `search` (the address after "?"), or the next page (`more`). */
export async function loadReports(search, { more = false } = {}) {
  if (!more) {
    view.filters = filtersOf(search);
    writeForm(view.filters);
    // Read again each time: another of the member's browsers may have changed them.
    saved?.load();
  }
  const load = reportsLoad();
  $('reports-message').textContent = t('queue.loading');
  try {
    const page = await listReports({
      ...view.filters,
      sort: '-observed',
      limit: PAGE,
      cursor: more ? view.nextCursor : undefined,
    });
    if (!load.current()) return;
    view.items = more ? [...view.items, ...page.items] : page.items;
    view.nextCursor = page.nextCursor;
    render();
  } catch (err) {
    if (load.current()) $('reports-message').textContent = describeError(err, t);
  } finally {
    load.end();
  }
}

export function relabelReports() {
  for (const [name, [kind, values]] of Object.entries(SELECTS)) {
    const select = $(`r-${name}`);
    const keep = select.value || view.filters[name] || '';
    select.replaceChildren(
      h('option', { value: '' }, t('filters.any')),
      ...values.map((v) => h('option', { value: v }, label(kind, v))),
    );
    select.value = keep;
  }
  if (!$('view-reports').hidden) render();
  saved?.render();
}

export function wireReports() {
  relabelReports();
  $('reports-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(readForm());
  });
  $('reports-form').addEventListener('reset', (ev) => {
    ev.preventDefault();
    writeForm({});
    go({});
  });
  $('reports-more').addEventListener('click', () => loadReports('', { more: true }));
  saved = savedFilters({
    view: 'reports',
    root: $('reports-saved'),
    current: () => view.filters,
    apply: (q) => go(filtersOf(new URLSearchParams(q))),
  });
}
