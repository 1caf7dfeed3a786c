// Regenerates libya-outline.json (run once: `npx tsx src/digests/make-libya-outline.ts`). The digest map must draw
// offline, so Libya's border from world-atlas (Natural Earth 1:50m) is committed as a small GeoJSON file.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

const LIBYA_ISO_NUMERIC = '434';
const require = createRequire(import.meta.url);
const topology = JSON.parse(await readFile(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as Topology<{
  countries: GeometryCollection;
}>;
const collection = feature(topology, topology.objects.countries);
const libya = collection.features.find((f) => String(f.id) === LIBYA_ISO_NUMERIC);
if (!libya) throw new Error('Libya not found in world-atlas countries-50m.json');
// ~1 km precision is plenty at the scale of a digest page
const round = (c: number[]) => c.map((x) => Math.round(x * 100) / 100);
const geometry = libya.geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon;
const coordinates =
  geometry.type === 'Polygon'
    ? geometry.coordinates.map((ring) => ring.map(round))
    : geometry.coordinates.map((poly) => poly.map((ring) => ring.map(round)));
const out = {
  type: 'Feature',
  properties: { name: 'Libya', source: 'Natural Earth 1:50m via world-atlas' },
  geometry: { type: geometry.type, coordinates },
};
await writeFile(new URL('./libya-outline.json', import.meta.url), `${JSON.stringify(out)}\n`);
console.log(`libya-outline.json: ${geometry.type}, ${JSON.stringify(coordinates).length} bytes of coordinates`);
