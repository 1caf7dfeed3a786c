// Drawing a bounding box on the small filter map: press "Draw area", drag a rectangle (mouse, pen or
// finger: pointer events), release. Keyboard users pan/zoom the map and press "Use visible area".
import { createBaseMap } from './basemap.js';

const round = (n) => Math.round(n * 1000) / 1000;
export const bboxOf = (b) => [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(round).join(',');

export async function bboxPicker(container, { onChange }) {
  const L = window.L;
  const { map } = await createBaseMap(container, { labels: false, minZoom: 3 });
  let rect = null;
  let drawing = false;
  let start = null;

  const show = (bounds) => {
    if (!bounds) {
      rect?.remove();
      rect = null;
      return;
    }
    if (rect) rect.setBounds(bounds);
    else rect = L.rectangle(bounds, { color: '#b00020', weight: 2, fillOpacity: 0.08, interactive: false }).addTo(map);
  };

  const latLngAt = (ev) => map.mouseEventToLatLng(ev);
  container.addEventListener(
    'pointerdown',
    (ev) => {
      if (!drawing || ev.button > 0) return;
      ev.preventDefault();
      ev.stopPropagation();
      container.setPointerCapture(ev.pointerId);
      start = latLngAt(ev);
      show(L.latLngBounds(start, start));
    },
    true,
  );
  container.addEventListener(
    'pointermove',
    (ev) => {
      if (!drawing || !start) return;
      show(L.latLngBounds(start, latLngAt(ev)));
    },
    true,
  );
  container.addEventListener(
    'pointerup',
    (ev) => {
      if (!drawing || !start) return;
      const bounds = L.latLngBounds(start, latLngAt(ev));
      start = null;
      setDrawing(false);
      // A click without a drag is not an area.
      if (bounds.getNorth() === bounds.getSouth() || bounds.getEast() === bounds.getWest()) {
        show(null);
        return;
      }
      show(bounds);
      onChange(bboxOf(bounds));
    },
    true,
  );

  function setDrawing(on) {
    drawing = on;
    container.classList.toggle('drawing', on);
    // Leaflet would pan the map on the same drag; off while drawing, back on afterwards.
    if (on) map.dragging.disable();
    else map.dragging.enable();
  }

  return {
    map,
    setDrawing,
    get drawing() {
      return drawing;
    },
    useVisible() {
      const b = map.getBounds();
      show(b);
      onChange(bboxOf(b));
    },
    /** Show a bbox string from the filters (e.g. restored after a reload). */
    set(value) {
      if (!value) {
        show(null);
        return;
      }
      const [w, s, e, n] = value.split(',').map(Number);
      if ([w, s, e, n].every(Number.isFinite)) show(L.latLngBounds([s, w], [n, e]));
    },
    refresh() {
      map.invalidateSize();
    },
  };
}
