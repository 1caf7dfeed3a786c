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
    clusters = window.L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
    }).addTo(map);
    return map;
  });
  return ready;
}

export async function loadMap() {
  const ticket = ++loading;
  const map = await ensureMap();
  map.invalidateSize();
  $('map-message').textContent = t('queue.loading');
  try {
    const fc = await incidentMap(apiFilters());
    if (ticket !== loading) return;
    const L = window.L;
    clusters.clearLayers();
    const markers = [];
    for (const f of fc.features ?? []) {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      markers.push(
        L.circleMarker([lat, lon], {
          radius: 8,
          // A verified incident carries a dark ring; the rest a thin white edge.
          color: p.state === 'verified' ? '#222' : '#fff',
          weight: p.state === 'verified' ? 3 : 2,
          fillColor: STANCE_COLOURS[p.stance] ?? '#555',
          fillOpacity: 0.95,
          className: `incident-marker stance-${p.stance ?? 'none'} state-${p.state}`,
        })
          .bindTooltip(() => [placeLabel(p), p.stance ? label('stance', p.stance) : null].filter(Boolean).join(' · '))
          .bindPopup(() => popup(p)),
      );
    }
    clusters.addLayers(markers);
    $('map-message').textContent = t('map.count', { count: markers.length });
    if (markers.length) map.fitBounds(clusters.getBounds().pad(0.2), { maxZoom: 9 });
  } catch (err) {
    if (ticket === loading) $('map-message').textContent = describeError(err, t);
  }
}
