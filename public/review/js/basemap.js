// Offline base layer for every commission map: Libya outline, main roads and towns from the packaged
// GeoJSON in /map/ (the observer app's data). No tile server is reachable in the field, so none is used.
import { language } from './i18n.js';
import { offlineBaseMap } from '/shared/basemap.js';

const getJson = (url) =>
  fetch(url).then((r) => {
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return r.json();
  });

let data = null;
const baseData = () =>
  (data ??= Promise.all([getJson('/map/libya.geojson'), getJson('/map/roads.geojson'), getJson('/map/places.json')]));

/** A Leaflet map on the offline base layer, fitted to Libya. Towns get labels in the page language. */
export async function createBaseMap(container, { labels = true, minZoom = 4 } = {}) {
  const L = window.L;
  const [outline, roads, places] = await baseData();
  const { map, bounds } = offlineBaseMap(L, container, { outline, roads }, { pad: 0.6, minZoom, maxZoom: 14 });

  const towns = L.layerGroup().addTo(map);
  const drawTowns = () => {
    towns.clearLayers();
    for (const p of places) {
      const major = p.rank === 1;
      const m = L.circleMarker([p.lat, p.lon], {
        radius: major ? 3 : 1.5,
        color: '#7d8790',
        weight: 1,
        fillOpacity: 0.5,
        interactive: false,
      });
      // Only main towns carry permanent labels; more would overlap into noise at country zoom.
      if (labels && major)
        m.bindTooltip(language() === 'ar' && p.nameAr ? p.nameAr : p.name, {
          permanent: true,
          direction: 'right',
          className: 'town',
        });
      towns.addLayer(m);
    }
  };
  drawTowns();
  document.addEventListener('languagechange', drawTowns);
  map.fitBounds(bounds);
  return { map, bounds };
}
