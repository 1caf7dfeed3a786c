// Offline map picker: Leaflet over committed GeoJSON (Libya outline, main roads, towns). No tile server,
// so it works with no connection at all once the service worker has cached these files.
import { language, t } from './i18n.js';
import { offlineBaseMap } from '/shared/basemap.js';

function loadOnce(tag, attrs) {
  const selector = tag === 'link' ? `link[href="${attrs.href}"]` : `script[src="${attrs.src}"]`;
  if (document.querySelector(selector)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const el = Object.assign(document.createElement(tag), attrs);
    el.onload = resolve;
    el.onerror = () => reject(new Error(`cannot load ${attrs.href || attrs.src}`));
    document.head.append(el);
  });
}

async function loadLeaflet() {
  await Promise.all([
    loadOnce('link', { rel: 'stylesheet', href: '/vendor/leaflet/leaflet.css' }),
    loadOnce('script', { src: '/vendor/leaflet/leaflet.js' }),
  ]);
  return window.L;
}

// From which zoom a place's name is written: the main cities always, other towns once a region fills the map,
// localities, bases and ports once a district does (more would overlap into noise further out).
const LABEL_ZOOM = { 1: 0, 2: 7, 3: 9 };
const ranksNamedAt = (zoom) =>
  Object.entries(LABEL_ZOOM)
    .flatMap(([rank, from]) => (zoom >= from ? [rank] : []))
    .join();

const getJson = (url) =>
  fetch(url).then((r) => {
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  });

export async function openPicker(container, onPick) {
  const [L, outline, roads, places] = await Promise.all([
    loadLeaflet(),
    getJson('/map/libya.geojson'),
    getJson('/map/roads.geojson'),
    getJson('/map/places.json'),
  ]);
  const { map, bounds } = offlineBaseMap(
    L,
    container,
    { outline, roads },
    {
      pad: 0.5,
      minZoom: 4,
      maxZoom: 12,
      attributionControl: true,
      zoomNames: () => ({ zoomIn: t('map.zoomIn'), zoomOut: t('map.zoomOut') }),
      // Zoomed in, the coastline and borders in detail (in the service worker's shell, so offline too).
      detail: () =>
        Promise.all([getJson('/map/libya-coast.geojson'), getJson('/map/neighbours.geojson')]).then(
          ([coast, abroad]) => ({ coast, abroad }),
        ),
    },
  );

  const towns = L.layerGroup().addTo(map);
  // The ranks whose names are written at the current zoom (the others show theirs on hover).
  let labelled = '';
  const drawTowns = () => {
    towns.clearLayers();
    labelled = ranksNamedAt(map.getZoom() ?? 0);
    for (const p of places) {
      const major = p.rank === 1;
      const m = L.circleMarker([p.lat, p.lon], {
        radius: major ? 5 : 3,
        color: major ? '#0b3d5c' : '#4f7891',
        weight: 1,
        fillOpacity: major ? 0.9 : 0.6,
      });
      const label = language() === 'ar' && p.nameAr ? p.nameAr : p.name;
      const permanent = labelled.includes(String(p.rank));
      m.bindTooltip(label, { permanent, direction: 'right', className: `town town-rank-${p.rank}` });
      m.on('click', () => pick(L.latLng(p.lat, p.lon)));
      towns.addLayer(m);
      // A dot is an SVG path: without these a screen reader meets nameless shapes and a keyboard cannot reach them.
      const dot = m.getElement();
      if (dot) {
        dot.setAttribute('role', 'button');
        dot.setAttribute('tabindex', '0');
        dot.setAttribute('aria-label', t('map.pickPlace', { place: label }));
        dot.addEventListener('keydown', (e) => {
          if (e.key !== 'Enter' && e.key !== ' ') return;
          e.preventDefault();
          e.stopPropagation();
          pick(L.latLng(p.lat, p.lon));
        });
      }
    }
  };
  drawTowns();
  // Closer in, the smaller places get their names written too; redrawn only when that changes.
  map.on('zoomend', () => {
    if (ranksNamedAt(map.getZoom()) !== labelled) drawTowns();
  });
  document.addEventListener('languagechange', () => {
    drawTowns();
    container.setAttribute('aria-label', t('form.mapLabel'));
  });

  let marker = null;
  function place(latlng) {
    if (marker) marker.setLatLng(latlng);
    else
      marker = L.circleMarker(latlng, {
        radius: 8,
        color: '#b00020',
        weight: 3,
        fillColor: '#fff',
        fillOpacity: 1,
      }).addTo(map);
  }
  function pick(latlng) {
    place(latlng);
    onPick(latlng.lat, latlng.lng);
  }
  map.on('click', (e) => pick(e.latlng));
  map.fitBounds(bounds, { animate: false });

  return {
    pickCentre: () => pick(map.getCenter()),
    // The panel was hidden when Leaflet measured it; re-measure and show the current position if there is one.
    refresh(lat, lon) {
      map.invalidateSize({ animate: false });
      if (lat !== undefined && lon !== undefined && Number.isFinite(lat) && Number.isFinite(lon)) {
        place(L.latLng(lat, lon));
        map.setView([lat, lon], Math.max(map.getZoom(), 7), { animate: false });
      }
      // Leaflet ignores clicks while it is still moving; this tells tests (and nothing else) that it has settled.
      container.dataset.ready = 'true';
    },
  };
}
