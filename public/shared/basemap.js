// The offline base layer under every map of the observer app and the commission pages: Libya's outline and
// the main roads from the packaged GeoJSON. No tile server is reachable in the field, so none is used.
export function offlineBaseMap(L, container, { outline, roads }, { pad, ...options }) {
  textOnlyOverlays(L);
  const country = L.geoJSON(outline, {
    style: { color: '#5b4a2f', weight: 1.5, fillColor: '#f3ecd9', fillOpacity: 1 },
    interactive: false,
  });
  const bounds = country.getBounds();
  const map = L.map(container, { maxBounds: bounds.pad(pad), zoomSnap: 0.5, ...options });
  map.attributionControl.setPrefix(false).addAttribution('Natural Earth');
  container.style.background = '#cfe3ef';
  country.addTo(map);
  L.geoJSON(roads, { style: { color: '#b3541e', weight: 2, dashArray: '6 4' }, interactive: false }).addTo(map);
  return { map, bounds };
}

/**
 * Leaflet writes a tooltip's or popup's string content with innerHTML. Every string our maps show is field data
 * (place names, file names typed by observers), so on every map made here a string is shown as text: one rule,
 * applied where the maps are made, instead of escaping at each call site. Elements are passed through as they are.
 */
export function textOnlyOverlays(L) {
  const proto = L.DivOverlay.prototype;
  if (proto._textOnly) return;
  proto._textOnly = true;
  proto._updateContent = function updateContent() {
    if (!this._content) return;
    const node = this._contentNode;
    const content = typeof this._content === 'function' ? this._content(this._source || this) : this._content;
    if (content instanceof Node) node.replaceChildren(content);
    else node.textContent = String(content);
    this.fire('contentupdate');
  };
}
