// Inline SVG for the digest: incident points over Libya's outline, and the daily trend. No tiles, no fonts
// from the network: the page must open on an offline laptop in the field.
import outline from './libya-outline.json' with { type: 'json' };
import type { DigestData, Lang } from './types.ts';
import { placeLabel } from './labels.ts';

export const STANCE_COLOURS = {
  violation: '#c0392b',
  compliance: '#1e8449',
  information: '#2471a3',
  none: '#7f8c8d',
} as const;
// Trend lines are told apart by colour AND dash pattern, so no two read alike in colour-blind eyes or a grey-scale
// print; the one green is far down the list (green means compliance elsewhere in the digest).
export const SERIES_STYLES = [
  { colour: '#c0392b', dash: '' },
  { colour: '#2471a3', dash: '6 3' },
  { colour: '#7d3c98', dash: '2 2' },
  { colour: '#d35400', dash: '9 3 2 3' },
  { colour: '#34495e', dash: '4 4' },
  { colour: '#b7950b', dash: '10 2' },
  { colour: '#e84393', dash: '1 3' },
  { colour: '#6e2c00', dash: '6 2 1 2' },
  { colour: '#1e8449', dash: '3 1' },
] as const;
export const seriesStyle = (n: number) => SERIES_STYLES[n % SERIES_STYLES.length]!;
// Above this the map turns into a blot; the most severe incidents are the ones worth seeing.
export const MAP_POINT_LIMIT = 3000;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rings = (
  outline.geometry.type === 'Polygon' ? [outline.geometry.coordinates] : outline.geometry.coordinates
) as number[][][][];

/** Equirectangular projection squeezed by cos(latitude) so Libya keeps its shape at ~27°N. */
export function libyaProjection(width: number) {
  const pts = rings.flat(2);
  const lons = pts.map((p) => p[0]);
  const lats = pts.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [
    Math.min(...lons) - 0.5,
    Math.max(...lons) + 0.5,
    Math.min(...lats) - 0.5,
    Math.max(...lats) + 0.5,
  ];
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const scale = width / ((maxLon - minLon) * k);
  const height = Math.round((maxLat - minLat) * scale);
  const project = (lon: number, lat: number): [number, number] => [
    +((lon - minLon) * k * scale).toFixed(1),
    +((maxLat - lat) * scale).toFixed(1),
  ];
  const outlinePath = rings
    .map((poly) => poly.map((ring) => `M${ring.map(([lon, lat]) => project(lon, lat).join(',')).join('L')}Z`).join(''))
    .join('');
  return { width, height, project, outlinePath };
}

export function mapPoints(data: DigestData) {
  return [...data.points]
    .sort((a, b) => b.severity - a.severity || (a.id < b.id ? -1 : 1))
    .slice(0, MAP_POINT_LIMIT)
    .reverse(); // severe drawn last, on top
}

export function mapSvg(data: DigestData, lang: Lang, title: string, width = 640): string {
  const { height, project, outlinePath } = libyaProjection(width);
  const dots = mapPoints(data).map((p) => {
    const [x, y] = project(p.lon, p.lat);
    const colour = STANCE_COLOURS[p.stance ?? 'none'];
    const fill = p.verified ? colour : 'none';
    return `<circle cx="${x}" cy="${y}" r="${3 + Math.min(p.severity, 10) * 0.3}" fill="${fill}" stroke="${colour}" stroke-width="1.5" fill-opacity="0.75"/>`;
  });
  const labels = data.topPlaces
    .filter((p) => p.lat !== null && p.lon !== null)
    .slice(0, 5)
    .map((p) => {
      const [x, y] = project(p.lon!, p.lat!);
      return `<text x="${x + 6}" y="${y - 6}" font-size="11" fill="#222"${lang === 'ar' ? ' direction="rtl"' : ''}>${esc(placeLabel(p.placeName, lang))}</text>`;
    });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">` +
    `<rect width="${width}" height="${height}" fill="#eaf2f8"/><path d="${outlinePath}" fill="#fdfefe" stroke="#566573" stroke-width="1"/>` +
    dots.join('') +
    labels.join('') +
    '</svg>'
  );
}

export interface Series {
  label: string;
  values: number[];
}

export function trendSvg(days: string[], series: Series[], title: string, width = 640, height = 240): string {
  const pad = { left: 36, right: 24, top: 12, bottom: 28 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i: number) => +(pad.left + (days.length > 1 ? (i * plotW) / (days.length - 1) : plotW / 2)).toFixed(1);
  const y = (v: number) => +(pad.top + plotH - (v * plotH) / max).toFixed(1);
  const step = Math.max(1, Math.ceil(days.length / 8));
  const axis = [
    `<line x1="${pad.left}" y1="${y(0)}" x2="${width - pad.right}" y2="${y(0)}" stroke="#999"/>`,
    `<text x="${pad.left - 6}" y="${y(max) + 4}" font-size="10" text-anchor="end">${max}</text>`,
    `<text x="${pad.left - 6}" y="${y(0) + 4}" font-size="10" text-anchor="end">0</text>`,
    ...days.map((d, i) =>
      i % step === 0
        ? `<text x="${x(i)}" y="${height - 8}" font-size="10" text-anchor="middle">${d.slice(5)}</text>`
        : '',
    ),
  ];
  const lines = series.map((s, n) => {
    const { colour, dash } = seriesStyle(n);
    const pts = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
    return (
      `<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${esc(s.label)}</title></polyline>` +
      s.values.map((v, i) => `<circle cx="${x(i)}" cy="${y(v)}" r="2.5" fill="${colour}"/>`).join('')
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">` +
    axis.join('') +
    lines.join('') +
    '</svg>'
  );
}
