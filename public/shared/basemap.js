// The offline base layer under every map of the observer app and the commission pages: Libya's outline and
// the main roads from the packaged GeoJSON. No tile server is reachable in the field, so none is used.
// Zoomed in (DETAIL_ZOOM and closer), a map given `detail` swaps the country-scale outline for OpenStreetMap's
// coastline and borders (public/map/libya-coast.geojson, ~23 KB gzipped) and draws the neighbouring countries, so the
// shore and the borders are where they are when a reader picks a point; the files are fetched only then.
export const DETAIL_ZOOM = 7;
export const ROADS_MAX_ZOOM = 9;

const LAND = { color: '#5b4a2f', weight: 1.5, fillColor: '#f3ecd9', fillOpacity: 1 };
const ABROAD = { color: '#8f8a7c', weight: 1, fillColor: '#e4e1d8', fillOpacity: 1 };

/**
 * `zoomNames`: () => ({ zoomIn, zoomOut }) in the page's language; the map's zoom buttons are then named with them
 * (Leaflet's own names are English only), again on every language change.
 */
export function offlineBaseMap(L, container, { outline, roads }, { pad, detail, zoomNames, ...options }) {
  textOnlyOverlays(L);
  const country = L.geoJSON(outline, {
    style: LAND,
    interactive: false,
    pane: 'basemap-land',
    className: 'basemap-land',
  });
  const bounds = country.getBounds();
  const map = L.map(container, {
    maxBounds: bounds.pad(pad),
    zoomSnap: 0.5,
    ...options,
    ...(zoomNames ? { zoomControl: false } : {}),
  });
  if (zoomNames) namedZoomControl(L, map, zoomNames);
  map.attributionControl.setPrefix(false).addAttribution('Natural Earth');
  container.style.background = '#cfe3ef';
  // Land under everything else drawn (roads, places, incidents), whichever outline is on the map; the neighbours
  // under Libya, so a shared border shows Libya's line.
  map.createPane('basemap-abroad').style.zIndex = 340;
  map.createPane('basemap-land').style.zIndex = 350;
  country.addTo(map);
  // The roads are a schematic drawn through town coordinates (no road data is shipped): a guide at country scale,
  // but a straight chord across the sea or the dunes close in, so they are left out from ROADS_MAX_ZOOM on.
  const schematic = L.geoJSON(roads, {
    style: { color: '#b3541e', weight: 2, dashArray: '6 4' },
    interactive: false,
    className: 'basemap-road',
  });
  const showRoads = () => {
    const due = !(map.getZoom() >= ROADS_MAX_ZOOM);
    if (due !== map.hasLayer(schematic)) due ? schematic.addTo(map) : schematic.remove();
  };
  showRoads();
  map.on('zoomend', showRoads);
  // Distances matter when placing a point: a scale in metres and kilometres.
  L.control.scale({ imperial: false, position: 'bottomright' }).addTo(map);
  if (detail) sharpenWhenClose(L, map, country, detail);
  return { map, bounds };
}

/** Leaflet's zoom buttons with names (title and aria-label) from `names()`, kept in the page's language. */
function namedZoomControl(L, map, names) {
  const control = L.control.zoom().addTo(map);
  const apply = () => {
    const { zoomIn, zoomOut } = names();
    for (const [button, name] of [
      [control._zoomInButton, zoomIn],
      [control._zoomOutButton, zoomOut],
    ]) {
      button.title = name;
      button.setAttribute('aria-label', name);
    }
  };
  apply();
  document.addEventListener('languagechange', apply);
  return control;
}

/** At DETAIL_ZOOM and closer: the detailed coastline instead of the outline, and the neighbours (only while close). */
function sharpenWhenClose(L, map, country, detail) {
  let loaded = null;
  let neighbours = null;
  const apply = () => {
    const close = map.getZoom() >= DETAIL_ZOOM;
    if (neighbours && close !== map.hasLayer(neighbours)) close ? neighbours.addTo(map) : neighbours.remove();
  };
  const load = () => {
    // Before its first view a map has no zoom (undefined): nothing is due yet.
    if (loaded || !(map.getZoom() >= DETAIL_ZOOM)) return;
    loaded = detail()
      .then(({ coast, abroad }) => {
        neighbours = L.geoJSON(abroad, {
          style: ABROAD,
          interactive: false,
          pane: 'basemap-abroad',
          className: 'basemap-abroad',
        });
        apply();
        L.geoJSON(coast, {
          style: LAND,
          interactive: false,
          pane: 'basemap-land',
          className: 'basemap-land basemap-coast',
        }).addTo(map);
        country.remove();
        map.attributionControl.addAttribution('© OpenStreetMap contributors (ODbL)');
        map.getContainer().dataset.coast = 'detailed';
      })
      .catch(() => {
        // Offline and not cached: the outline stays, and the next zoom tries again.
        loaded = null;
      });
  };
  map.on('zoomend', () => {
    load();
    apply();
  });
  load();
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
