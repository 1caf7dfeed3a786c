// Offline base layer for every commission map: Libya outline, main roads and towns from the packaged
// GeoJSON in /map/ (the observer app's data); zoomed in, the detailed coastline and the neighbours (shared/basemap.js).
// No tile server is reachable in the field, so none is used.
import { language, t } from './i18n.js';
import { offlineBaseMap } from '/shared/basemap.js';

const getJson = (url) =>
  fetch(url).then((r) => {
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  });

let data = null;
const baseData = () =>
  (data ??= Promise.all([getJson('/map/libya.geojson'), getJson('/map/roads.geojson'), getJson('/map/places.json')]));
let detail = null;
const detailData = () =>
  (detail ??= Promise.all([getJson('/map/libya-coast.geojson'), getJson('/map/neighbours.geojson')]).then(
    ([coast, abroad]) => ({ coast, abroad }),
    (err) => {
      detail = null;
      throw err;
    },
  ));

// From which zoom a place's name is written: the main cities always, other towns once a region fills the map,
// localities, bases and ports once a district does (more would overlap into noise further out).
const LABEL_ZOOM = { 1: 0, 2: 7, 3: 9 };

/** A Leaflet map on the offline base layer, fitted to Libya. Places get labels in the page language. */
export async function createBaseMap(container, { labels = true, minZoom = 4 } = {}) {
  const L = window.L;
  const [outline, roads, places] = await baseData();
  const { map, bounds } = offlineBaseMap(
    L,
    container,
    { outline, roads },
    {
      pad: 0.6,
      minZoom,
      maxZoom: 14,
      detail: detailData,
      zoomNames: () => ({ zoomIn: t('map.zoomIn'), zoomOut: t('map.zoomOut') }),
    },
  );

  const dots = L.layerGroup().addTo(map);
  const names = { 1: L.layerGroup(), 2: L.layerGroup(), 3: L.layerGroup() };
  const showNames = () => {
    for (const [rank, group] of Object.entries(names)) {
      const due = labels && map.getZoom() >= LABEL_ZOOM[rank];
      if (due !== map.hasLayer(group)) due ? group.addTo(map) : group.remove();
    }
  };
  const drawTowns = () => {
    dots.clearLayers();
    for (const group of Object.values(names)) group.clearLayers();
    for (const p of places) {
      const major = p.rank === 1;
      dots.addLayer(
        L.circleMarker([p.lat, p.lon], {
          radius: major ? 3 : 1.5,
          color: '#7d8790',
          weight: 1,
          fillOpacity: 0.5,
          interactive: false,
        }),
      );
      names[p.rank]?.addLayer(
        L.tooltip({ permanent: true, direction: 'right', className: `town town-rank-${p.rank}`, interactive: false })
          .setLatLng([p.lat, p.lon])
          .setContent(language() === 'ar' && p.nameAr ? p.nameAr : p.name),
      );
    }
  };
  drawTowns();
  showNames();
  map.on('zoomend', showNames);
  document.addEventListener('languagechange', drawTowns);
  map.fitBounds(bounds);
  return { map, bounds };
}
