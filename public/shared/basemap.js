// The offline base layer under every map of the observer app and the commission pages: Libya's outline and
// the main roads from the packaged GeoJSON. No tile server is reachable in the field, so none is used.
export function offlineBaseMap(L, container, { outline, roads }, { pad, ...options }) {
  const country = L.geoJSON(outline, { style: { color: '#5b4a2f', weight: 1.5, fillColor: '#f3ecd9', fillOpacity: 1 }, interactive: false });
  const bounds = country.getBounds();
  const map = L.map(container, { maxBounds: bounds.pad(pad), zoomSnap: 0.5, ...options });
  map.attributionControl.setPrefix(false).addAttribution('Natural Earth');
  container.style.background = '#cfe3ef';
  country.addTo(map);
  L.geoJSON(roads, { style: { color: '#b3541e', weight: 2, dashArray: '6 4' }, interactive: false }).addTo(map);
  return { map, bounds };
}
