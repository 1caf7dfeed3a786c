// The incident page: facts, automatic classification vs the correction, reports side by side, a map of
// their positions (and photos' EXIF positions), comments, history; the actions live in incident-actions.js.
import { $, h } from './dom.js';
import { t, label, formatDateTime, formatNumber, formatPercent } from './i18n.js';
import { getIncident, incidentReports, describeError, custodyUrl } from './api.js';
import { photoMatchesSection } from './photo-matches.js';
import { stateBadge, stanceBadge, termList, partyList, incidentName, placeLabel } from './badges.js';
import { reportCard } from './report-card.js';
import { reportPosition } from './evidence.js';
import { createBaseMap } from './basemap.js';
import { actionsPanel, restoreControls, touchedControls } from './incident-actions.js';
import { historySection, incidentLink, sentenceWith, shortId } from './history.js';

let current = null;
const picked = new Set();

const fact = (key, value) => h('div', {}, h('dt', {}, t(key)), h('dd', {}, value));

function classificationBox(i) {
  const auto = i.automatic;
  const corr = i.correction;
  return h(
    'section',
    { class: 'box', 'aria-labelledby': 'cls-title' },
    h('h2', { id: 'cls-title' }, t('incident.classification')),
    h(
      'div',
      { class: 'versus' },
      h(
        'div',
        {},
        h('h3', {}, t('incident.automatic')),
        auto
          ? [
              termList(auto.terms),
              h(
                'p',
                {},
                stanceBadge(auto.stance),
                ' ',
                t('incident.confidence', { value: formatPercent(auto.confidence) }),
              ),
            ]
          : h('p', { class: 'note' }, '–'),
      ),
      h(
        'div',
        {},
        h('h3', {}, t('incident.correction')),
        corr
          ? [
              termList(corr.terms),
              h('p', {}, stanceBadge(corr.stance)),
              corr.by || corr.at
                ? h(
                    'p',
                    { class: 'note' },
                    [corr.by, corr.at ? formatDateTime(corr.at) : null].filter(Boolean).join(' · '),
                  )
                : null,
              corr.note ? h('p', { class: 'note', dir: 'auto' }, corr.note) : null,
            ]
          : h('p', { class: 'note' }, t('incident.noCorrection')),
      ),
    ),
  );
}

function comments(list) {
  return h(
    'section',
    { class: 'box', 'aria-labelledby': 'comments-title' },
    h('h2', { id: 'comments-title' }, t('incident.comments')),
    list?.length
      ? h(
          'ol',
          { class: 'comments' },
          list.map((c) =>
            h(
              'li',
              {},
              h('p', { class: 'note' }, c.author?.username ?? '–', ' · ', formatDateTime(c.createdAt)),
              h('p', { dir: 'auto', class: 'narrative' }, c.body),
            ),
          ),
        )
      : h('p', { class: 'note' }, t('incident.noComments')),
  );
}

// The small map as last drawn: which incident, and the view the page fitted to its reports. Once the reader has zoomed
// or moved it, a redraw of the same incident (a live update, the reader's own action, a language switch) shows their
// view again rather than fitting anew; a view the page chose itself is fitted again, to the reports as they now are.
let smallMap = null;

/** The reader's own view of the small map of incident `id`, or null when they left it where the page put it. */
function readerView(id) {
  if (!smallMap || smallMap.id !== id) return null;
  const { map, fitted } = smallMap;
  const center = map.getCenter();
  const zoom = map.getZoom();
  if (fitted && zoom === fitted.zoom && center.equals(fitted.center)) return null;
  return { center, zoom };
}

async function drawMap(container, i, view) {
  const L = window.L;
  const fittedBefore = smallMap?.id === i.id ? smallMap.fitted : null;
  const { map } = await createBaseMap(container);
  const points = [];
  for (const r of i.reports) {
    const p = reportPosition(r);
    if (p) {
      points.push([p.lat, p.lon]);
      L.circleMarker([p.lat, p.lon], { radius: 7, color: '#0b3d5c', weight: 2, fillColor: '#4f9fd6', fillOpacity: 0.9 })
        .bindTooltip(`${formatDateTime(r.observedAt)} — ${r.placeName ?? r.resolvedPlace ?? ''}`)
        .addTo(map);
    }
    for (const a of r.attachments ?? []) {
      if (!Number.isFinite(a.exifLat)) continue;
      points.push([a.exifLat, a.exifLon]);
      L.circleMarker([a.exifLat, a.exifLon], {
        radius: 5,
        color: '#8a5a00',
        weight: 2,
        fillColor: '#ffd27a',
        fillOpacity: 1,
      })
        .bindTooltip(t('map.exifOf', { name: a.originalName }))
        .addTo(map);
      if (p)
        L.polyline(
          [
            [p.lat, p.lon],
            [a.exifLat, a.exifLon],
          ],
          { color: '#8a5a00', weight: 1, dashArray: '3 3' },
        ).addTo(map);
    }
  }
  if (view) {
    map.setView(view.center, view.zoom, { animate: false });
    smallMap = { id: i.id, map, fitted: fittedBefore };
    return;
  }
  if (points.length) map.fitBounds(L.latLngBounds(points).pad(0.3), { maxZoom: 11, animate: false });
  smallMap = { id: i.id, map, fitted: { center: map.getCenter(), zoom: map.getZoom() } };
}

const splitSelection = {
  has: (id) => picked.has(id),
  toggle: (id, on) => {
    if (on) picked.add(id);
    else picked.delete(id);
  },
};

/** The reports loaded so far ("n of N"), and a button that loads the next page: a large incident is never sent whole. */
function reportsSection(i) {
  const more = i.reportsNextCursor
    ? h(
        'button',
        { type: 'button', class: 'secondary', id: 'more-reports', on: { click: () => loadMore(i, section) } },
        t('incident.moreReports'),
      )
    : null;
  const section = h(
    'section',
    { 'aria-labelledby': 'reports-title', id: 'incident-reports' },
    h(
      'h2',
      { id: 'reports-title' },
      t('incident.reportsOf', { count: i.reportCount, shown: i.reports.length, total: i.reportCount }),
    ),
    h(
      'div',
      { class: 'reports' },
      i.reports.map((r) => reportCard(r, { selected: splitSelection.has(r.id), onSelect: splitSelection.toggle })),
    ),
    more
      ? h('p', { class: 'more' }, more, ' ', h('span', { class: 'note', role: 'status', id: 'more-reports-status' }))
      : null,
  );
  return section;
}

async function loadMore(i, section) {
  const button = section.querySelector('#more-reports');
  const status = section.querySelector('#more-reports-status');
  button.disabled = true;
  status.textContent = t('queue.loading');
  try {
    const page = await incidentReports(i.id, i.reportsNextCursor);
    if (current !== i) return;
    const seen = new Set(i.reports.map((r) => r.id));
    i.reports.push(...page.items.filter((r) => !seen.has(r.id)));
    i.reportsNextCursor = page.nextCursor;
    const next = reportsSection(i);
    section.replaceWith(next);
    (next.querySelector('#more-reports') ?? next.querySelector('h2')).focus?.();
  } catch (err) {
    button.disabled = false;
    status.textContent = describeError(err, t);
  }
}

function render(i) {
  const body = $('incident-body');
  const view = readerView(i.id);
  body.replaceChildren(
    h(
      'div',
      { class: 'heading-row' },
      h('h1', { id: 'incident-title', dir: 'auto' }, incidentName(i)),
      h(
        'p',
        { class: 'meta' },
        i.mergedIntoId ? h('span', { class: 'state state-merged' }, t('incident.mergedState')) : stateBadge(i.state),
        ' ',
        stanceBadge(i.stance),
        ' ',
        h('code', { class: 'id', title: i.id, dir: 'ltr' }, `#${shortId(i.id)}`),
        ' ',
        // A signed zip of the evidence for an investigator (verify it with npm run custody:verify); the download is audited.
        h('a', { href: custodyUrl(i.id), download: '', class: 'custody' }, t('incident.custody')),
      ),
    ),
    i.newSinceVerified
      ? h(
          'p',
          { class: 'new-since-banner', role: 'note', id: 'new-since-banner' },
          t('incident.newSinceBanner', { count: i.newSinceVerified, at: formatDateTime(i.verifiedAt) }),
        )
      : null,
    i.mergedIntoId
      ? h(
          'p',
          { class: 'merged-banner', role: 'note', id: 'merged-banner' },
          ...sentenceWith('incident.mergedInto', { target: incidentLink(i.mergedIntoId) }),
        )
      : null,
    h(
      'div',
      { class: 'incident-grid' },
      h(
        'div',
        { class: 'incident-main' },
        h(
          'dl',
          { class: 'facts' },
          fact('col.place', h('span', { dir: 'auto' }, placeLabel(i) ?? '–')),
          fact('incident.first', formatDateTime(i.firstObservedAt)),
          fact('incident.last', formatDateTime(i.lastObservedAt)),
          fact('col.reports', formatNumber(i.reportCount)),
          fact('col.severity', formatNumber(i.severity)),
          fact('col.confidence', formatPercent(i.confidence)),
          fact('col.parties', partyList(i.parties)),
          fact('col.assignee', i.assignee?.username ?? '–'),
        ),
        classificationBox(i),
        h('div', {
          id: 'incident-map-small',
          class: 'map',
          dir: 'ltr',
          role: 'img',
          'aria-label': t('incident.mapLabel'),
        }),
        // Reports beside the actions column rather than below it: the column is long, and on a laptop this is where the eye is.
        reportsSection(i),
        photoMatchesSection(i.id),
      ),
      actionsPanel(i, { reload: () => openIncident(i.id), picked }),
    ),
    comments(i.comments),
    historySection(i.history, i.id, i.people),
  );
  drawMap($('incident-map-small'), i, view).catch(() => {
    /* the map is an aid; the page stands without it */
  });
}

/**
 * The incident read again, with as many of its reports as the reader had loaded on this page ("more reports"), page
 * by page in the API's order: a redraw does not take back what the reader asked to see. A page that fails leaves the
 * rest to the button.
 */
async function readIncident(id) {
  const loaded = current?.id === id ? current.reports.length : 0;
  const fresh = await getIncident(id);
  try {
    while (fresh.reportsNextCursor && fresh.reports.length < loaded) {
      const page = await incidentReports(id, fresh.reportsNextCursor);
      const seen = new Set(fresh.reports.map((r) => r.id));
      fresh.reports.push(...page.items.filter((r) => !seen.has(r.id)));
      fresh.reportsNextCursor = page.nextCursor;
    }
  } catch {
    /* what was read stands; "more reports" offers the rest */
  }
  return fresh;
}

export async function openIncident(id) {
  const body = $('incident-body');
  if (current?.id !== id) {
    picked.clear();
    showLiveNotice(null);
    body.replaceChildren(h('p', { class: 'note', role: 'status' }, t('queue.loading')));
  }
  try {
    current = await readIncident(id);
    for (const rid of [...picked]) if (!current.reports.some((r) => r.id === rid)) picked.delete(rid);
    render(current);
  } catch (err) {
    body.replaceChildren(
      h('h1', { id: 'incident-title' }, t('incident.title')),
      h('p', { class: 'error', role: 'alert' }, describeError(err, t)),
    );
  }
}

export const rerenderIncident = () => {
  if (current && !$('view-incident').hidden) {
    render(current);
    showLiveNotice(notice);
  }
};

// --- Live: the open page follows what others do to its incident (events from live.js, through main.js).

const LIVE_PAUSE_MS = 300;
let liveKinds = [];
let liveTimer = null;

/**
 * Events as they arrive. Those about the incident on screen and made by someone else gather for a short pause, then
 * the page is drawn again from the API. The reader's own actions already reloaded the page (incident-actions.js).
 */
export function incidentChanged(events, me) {
  if (!current || $('view-incident').hidden) return;
  const id = current.id;
  const mine = events.filter((e) => e.incidentId === id && !(me && e.actorId === me.id));
  if (!mine.length) return;
  liveKinds.push(...mine.map((e) => e.kind));
  clearTimeout(liveTimer);
  liveTimer = setTimeout(() => refreshIncident(id), LIVE_PAUSE_MS);
}

async function refreshIncident(id) {
  const kinds = [...new Set(liveKinds)];
  liveKinds = [];
  let fresh;
  try {
    fresh = await readIncident(id);
  } catch (err) {
    if (current?.id === id) showLiveNotice({ kinds, at: new Date(), error: describeError(err, t) });
    return;
  }
  if (current?.id !== id || $('view-incident').hidden) return;
  // What the reader is in the middle of survives the redraw: typed text, picks, the caret, the scroll position.
  const kept = touchedControls(document.querySelector('#incident-body .incident-actions'));
  const scroll = window.scrollY;
  current = fresh;
  for (const rid of [...picked]) if (!current.reports.some((r) => r.id === rid)) picked.delete(rid);
  render(current);
  const panel = document.querySelector('#incident-body .incident-actions');
  if (panel) restoreControls(panel, kept);
  window.scrollTo(0, scroll);
  if (kinds.length) showLiveNotice({ kinds, at: new Date() });
}

/** After the live stream came back from a drop: events missed meanwhile are not replayed, so the page reads again. */
export function incidentResync() {
  if (current && !$('view-incident').hidden) refreshIncident(current.id);
}

/** What changed, in the page language: one sentence per kind of change, in the order they came. */
function liveWords(kinds, i) {
  const words = [];
  for (const kind of kinds) {
    if (kind === 'merged' && i.mergedIntoId) {
      words.push(sentenceWith('live.incident.mergedAway', { target: incidentLink(i.mergedIntoId) }));
    } else if (kind === 'state') {
      words.push(
        t('live.incident.state', { state: i.mergedIntoId ? t('incident.mergedState') : label('state', i.state) }),
      );
    } else if (kind === 'assigned') {
      words.push(
        i.assignee ? t('live.incident.assigned', { name: i.assignee.username }) : t('live.incident.unassigned'),
      );
    } else {
      words.push(t(`live.incident.${kind}`, { fallback: t('live.incident.changed') }));
    }
  }
  return words.flatMap((w, n) => [n ? ' ' : '', ...(Array.isArray(w) ? w : [w])]);
}

let notice = null;

/** The short notice above the page: when it was updated and what changed (null hides it); redrawn on a language switch. */
function showLiveNotice(next) {
  notice = next;
  const el = $('incident-live');
  if (!el) return;
  el.hidden = !notice;
  el.replaceChildren(
    ...(notice
      ? [
          h('strong', {}, t('live.incident.updated', { time: formatDateTime(notice.at) })),
          ' ',
          ...(notice.error ? [h('span', { class: 'error' }, notice.error)] : liveWords(notice.kinds, current)),
        ]
      : []),
  );
}
