// Map of every incident matching the filters, clustered, on the offline base layer.
import { $, h } from './dom.js';
import { t, label, formatNumber, formatDateTime } from './i18n.js';
import { incidentMap, describeError } from './api.js';
import { apiFilters } from './filters.js';
import { createBaseMap } from './basemap.js';
import { STANCE_COLOURS, STANCES } from './vocab.js';
import { placeLabel } from './badges.js';

let ready = null;
let clusters = null;
let loading = 0;
/** The markers on the map by incident id, so a live event redraws only the incidents it names. */
const markers = new Map();
let updatedAt = null;

function popup(p) {
  return h(
    'div',
    { class: 'popup' },
    h('a', { href: `#incident/${p.id}` }, t('map.open')),
    h('p', { class: 'popup-place', dir: 'auto' }, placeLabel(p) ?? '–'),
    p.firstObservedAt ? h('p', { class: 'popup-date' }, formatDateTime(p.firstObservedAt)) : null,
    h('p', {}, label('state', p.state), p.stance ? ` · ${label('stance', p.stance)}` : ''),
    h('p', {}, (p.terms ?? []).map((x) => label('term', x)).join(', ') || '–'),
    h(
      'p',
      {},
      t('incident.reportCount', { count: p.reportCount ?? 0 }),
      ' · ',
      t('map.severity', { value: formatNumber(p.severity ?? 0) }),
    ),
  );
}

function drawLegend() {
  document
    .getElementById('map-legend')
    ?.replaceChildren(
      ...STANCES.map((s) => h('div', {}, h('i', { style: `background:${STANCE_COLOURS[s]}` }), label('stance', s))),
      h('div', {}, h('i', { class: 'ring' }), t('map.verifiedRing')),
    );
}

async function ensureMap() {
  ready ??= createBaseMap($('incident-map')).then(({ map }) => {
    // Chunked loading keeps the page responsive while tens of thousands of markers are added.
    const legend = window.L.control({ position: 'bottomleft' });
    legend.onAdd = () => h('div', { class: 'legend', id: 'map-legend' });
    legend.addTo(map);
    drawLegend();
    document.addEventListener('languagechange', drawLegend);
    // Where the reader is looking, on the element: kept across live updates (and read by the browser tests).
    const keepView = () => {
      const c = map.getCenter();
      $('incident-map').dataset.view = `${map.getZoom()}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`;
    };
    map.on('moveend zoomend', keepView);
    keepView();
    clusters = window.L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
    }).addTo(map);
    return map;
  });
  return ready;
}

/** One incident's marker: stance colour, a dark ring when verified; the class names the incident. */
function markerOf(f) {
  const [lon, lat] = f.geometry.coordinates;
  const p = f.properties;
  return window.L.circleMarker([lat, lon], {
    radius: 8,
    // A verified incident carries a dark ring; the rest a thin white edge.
    color: p.state === 'verified' ? '#222' : '#fff',
    weight: p.state === 'verified' ? 3 : 2,
    fillColor: STANCE_COLOURS[p.stance] ?? '#555',
    fillOpacity: 0.95,
    className: `incident-marker incident-${p.id} stance-${p.stance ?? 'none'} state-${p.state}`,
  })
    .bindTooltip(() => [placeLabel(p), p.stance ? label('stance', p.stance) : null].filter(Boolean).join(' · '))
    .bindPopup(() => popup(p));
}

const showCount = () => {
  $('map-message').textContent = t('map.count', { count: markers.size });
};

export async function loadMap() {
  const ticket = ++loading;
  const map = await ensureMap();
  map.invalidateSize();
  $('map-message').textContent = t('queue.loading');
  try {
    const fc = await incidentMap(apiFilters());
    if (ticket !== loading) return;
    clusters.clearLayers();
    markers.clear();
    for (const f of fc.features ?? []) markers.set(f.properties.id, markerOf(f));
    clusters.addLayers([...markers.values()]);
    showCount();
    updatedAt = null;
    relabelMapUpdated();
    if (markers.size) map.fitBounds(clusters.getBounds().pad(0.2), { maxZoom: 9 });
  } catch (err) {
    if (ticket === loading) $('map-message').textContent = describeError(err, t);
  }
}

// At most this many incidents are asked for by id; a larger burst (or a reconnection) reloads the whole set.
const IDS_AT_ONCE = 500;

/**
 * Live events (gathered by live.js): the incidents they name are asked for again under the current filters, and
 * their markers added, redrawn or removed (merged away, or no longer matching). The reader's zoom and pan stay.
 * No events means the stream came back after a drop: everything is read again, still without moving the view.
 */
export async function mapChanged(events) {
  if (!clusters || $('view-map').hidden) return;
  const ticket = loading;
  const ids = [...new Set(events.flatMap((e) => [e.incidentId, e.mergedIntoId].filter(Boolean)))];
  const whole = !events.length || ids.length > IDS_AT_ONCE;
  let fc;
  try {
    fc = await incidentMap({ ...apiFilters(), ...(whole ? {} : { ids: ids.join(',') }) });
  } catch {
    return; // the map keeps what it shows; the next event or reload tries again
  }
  // A full load begun meanwhile has read these changes too, and draws them itself.
  if (ticket !== loading) return;
  const fresh = new Map((fc.features ?? []).map((f) => [f.properties.id, f]));
  for (const id of whole ? [...markers.keys()] : ids) {
    if (fresh.has(id)) continue;
    const old = markers.get(id);
    if (old) clusters.removeLayer(old);
    markers.delete(id);
  }
  for (const [id, f] of fresh) {
    const old = markers.get(id);
    if (old) clusters.removeLayer(old);
    const m = markerOf(f);
    markers.set(id, m);
    clusters.addLayer(m);
  }
  showCount();
  updatedAt = new Date();
  relabelMapUpdated();
}

/** The "updated" notice of the map, in the page language (also after a language switch). */
export function relabelMapUpdated() {
  const el = $('map-updated');
  if (!el) return;
  el.hidden = !updatedAt;
  el.textContent = updatedAt ? t('map.updated', { time: formatDateTime(updatedAt) }) : '';
}
