#!/usr/bin/env node
// Copies the browser libraries the observer app needs from node_modules into public/vendor/, so the app
// has no build step and no CDN (field phones are often offline). Runs from postinstall: idempotent, and a
// file whose bytes are already in place is not rewritten.
//
//   node scripts/vendor-public.mjs         copy vendored libraries
//   node scripts/vendor-public.mjs --map   also regenerate the committed base layer in public/map/
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

async function copyIfChanged(from, to) {
  const bytes = await readFile(from);
  const current = await readFile(to).catch(() => null);
  if (current && current.equals(bytes)) return false;
  await mkdir(dirname(to), { recursive: true });
  await writeFile(to, bytes);
  return true;
}

async function vendorLeaflet() {
  const dist = join(pkgDir('leaflet'), 'dist');
  const out = join(root, 'public', 'vendor', 'leaflet');
  const files = ['leaflet.js', 'leaflet.css', ...(await readdir(join(dist, 'images'))).map((f) => `images/${f}`)];
  let changed = 0;
  for (const f of files) if (await copyIfChanged(join(dist, f), join(out, f))) changed++;
  const { version } = JSON.parse(await readFile(join(pkgDir('leaflet'), 'package.json'), 'utf8'));
  await copyIfChanged(join(pkgDir('leaflet'), 'LICENSE'), join(out, 'LICENSE'));
  return `leaflet ${version}: ${changed} of ${files.length} files updated`;
}

// Marker clustering for the commission's incident map (thousands of points at country zoom).
async function vendorMarkerCluster() {
  const dist = join(pkgDir('leaflet.markercluster'), 'dist');
  const out = join(root, 'public', 'vendor', 'leaflet.markercluster');
  const files = ['leaflet.markercluster.js', 'MarkerCluster.css', 'MarkerCluster.Default.css'];
  let changed = 0;
  for (const f of files) if (await copyIfChanged(join(dist, f), join(out, f))) changed++;
  await copyIfChanged(join(pkgDir('leaflet.markercluster'), 'MIT-LICENCE.txt'), join(out, 'LICENSE'));
  return `leaflet.markercluster: ${changed} of ${files.length} files updated`;
}

// Three decimals is ~100 m: plenty for a country outline drawn at phone-screen zoom, and it keeps the file small.
const round = (n) => Math.round(n * 1000) / 1000;

function simplifyRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const p = [round(x), round(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

async function buildMap() {
  const { feature } = await import('topojson-client');
  const topo = JSON.parse(await readFile(join(pkgDir('world-atlas'), 'countries-50m.json'), 'utf8'));
  const libya = topo.objects.countries.geometries.find((g) => g.properties?.name === 'Libya');
  if (!libya) throw new Error('Libya not found in world-atlas countries-50m.json');
  const f = feature(topo, libya);
  const geometry = f.geometry.type === 'Polygon'
    ? { type: 'Polygon', coordinates: f.geometry.coordinates.map(simplifyRing) }
    : { type: 'MultiPolygon', coordinates: f.geometry.coordinates.map((p) => p.map(simplifyRing)) };
  const outline = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'Libya', nameAr: 'ليبيا' }, geometry }] };
  await writeFile(join(root, 'public', 'map', 'libya.geojson'), JSON.stringify(outline) + '\n');

  // Main roads are drawn through town coordinates: a schematic, enough to orient an observer without tiles.
  const places = JSON.parse(await readFile(join(root, 'public', 'map', 'places.json'), 'utf8'));
  const at = (name) => {
    const p = places.find((x) => x.name === name);
    if (!p) throw new Error(`road passes through unknown place ${name}`);
    return [p.lon, p.lat];
  };
  const roads = [
    { name: 'Coastal road', nameAr: 'الطريق الساحلي', via: ['Ras Ajdir', 'Zuwara', 'Al Ajaylat', 'Sabratha', 'Surman', 'Zawiya', 'Janzour', 'Tripoli',
      'Tajoura', 'Garabulli', 'Khoms', 'Zliten', 'Misrata', 'Tawergha', 'Abu Grein', 'Buerat al-Hasun', 'Sirte', 'Nawfaliya', 'Ben Jawad',
      'Es Sider', 'Ras Lanuf', 'Brega', 'Ajdabiya', 'Benghazi', 'Tocra', 'Al Marj', 'Bayda', 'Shahhat', 'Al Qubbah', 'Derna', 'Tobruk'] },
    { name: 'Sirte–Jufra–Sabha road', nameAr: 'طريق سرت – الجفرة – سبها', via: ['Sirte', 'Waddan', 'Hun', 'Sokna', 'Sabha'] },
  ];
  const roadsGeo = {
    type: 'FeatureCollection',
    features: roads.map((r) => ({ type: 'Feature', properties: { name: r.name, nameAr: r.nameAr }, geometry: { type: 'LineString', coordinates: r.via.map(at) } })),
  };
  await writeFile(join(root, 'public', 'map', 'roads.geojson'), JSON.stringify(roadsGeo) + '\n');
  const points = geometry.coordinates.flat(geometry.type === 'Polygon' ? 1 : 2).length;
  return `map: Libya outline ${points} points, ${roads.length} roads, ${places.length} places`;
}

const messages = [await vendorLeaflet(), await vendorMarkerCluster()];
if (process.argv.includes('--map')) messages.push(await buildMap());
console.log(`vendor-public: ${messages.join('; ')}`);
