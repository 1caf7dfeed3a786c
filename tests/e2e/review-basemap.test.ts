// The offline base layer close in, in English and Arabic: over Sirte at the zooms a reviewer picks or reads a point
// at, the map draws the detailed coastline (OpenStreetMap's, fetched only once zoomed in, and light on the wire) and
// writes the gazetteer's places around the town in the page's script; further out, only the main towns are named.
// Asserted on the drawn features and labels, not on pixels. Screenshots: review-{en,ar}-basemap-sirte.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { eventually, screenshotPath } from './helpers/browser.ts';
import { done } from './helpers/review-browser.ts';
import { startReviewSession, type ReviewSession } from './helpers/review-session.ts';

let session: ReviewSession;

beforeAll(async () => {
  session = await startReviewSession();
}, 120_000);

afterAll(async () => {
  await session?.close();
});

const zoomOf = async (page: Page) =>
  Number((await page.locator('#incident-map').getAttribute('data-view'))?.split('/')[0]);

/** The labels drawn inside the map's visible box. */
const labelsInView = (page: Page) =>
  page.evaluate(() => {
    const doc = (globalThis as any).document;
    const box = doc.getElementById('incident-map').getBoundingClientRect();
    return [...doc.querySelectorAll('#incident-map .leaflet-tooltip.town')]
      .filter((el: any) => {
        const r = el.getBoundingClientRect();
        return r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom;
      })
      .map((el: any) => el.textContent as string);
  });

/** The paths of every file this page fetched, from the browser's own record. */
const fetched = (page: Page) =>
  page.evaluate(() =>
    (globalThis as any).performance.getEntriesByType('resource').map((e: any) => new URL(e.name).pathname),
  );

/** Vertices of the drawn coastline inside the view (Leaflet clips a polygon's path to what is on screen). */
const coastVertices = (page: Page) =>
  page
    .locator('#incident-map path.basemap-coast')
    .evaluateAll((paths) => paths.reduce((n, p: any) => n + (p.getAttribute('d')?.match(/[ML]/g)?.length ?? 0), 0));

describe.each([
  {
    lang: 'en' as const,
    near: ['Sirte', 'Sirte port', 'Qasr Abu Hadi', 'Wadi Jarif'],
    far: ['Tripoli', 'Benghazi'],
  },
  {
    lang: 'ar' as const,
    near: ['سرت', 'ميناء سرت', 'قصر أبوهادي', 'وادي جارف'],
    far: ['طرابلس', 'بنغازي'],
  },
])('$lang', ({ lang, near, far }) => {
  it('shows the coastline and the named places around Sirte close in, and only the main towns further out', async () => {
    const page = await session.page(lang, '#queue');
    const wire = new Map<string, number>();
    const encodings = new Map<string, string | undefined>();
    page.on('response', async (res: Response) => {
      const path = new URL(res.url()).pathname;
      if (!path.startsWith('/map/')) return;
      wire.set(path, (await res.request().sizes()).responseBodySize);
      encodings.set(path, (await res.allHeaders())['content-encoding']);
    });
    // The queue's small filter map is at country zoom: nothing detailed is fetched for it.
    await page.locator('#bbox-map .leaflet-pane').first().waitFor({ state: 'attached' });
    await expect(fetched(page)).resolves.toContain('/map/libya.geojson');
    await expect(fetched(page)).resolves.not.toContain('/map/libya-coast.geojson');

    // The map over Sirte: fitted to the Sirte incident, then two steps closer, as when placing a point.
    await page.evaluate(() =>
      (globalThis as any).sessionStorage.setItem('review.filters', JSON.stringify({ bbox: '16.0,30.7,17.6,31.6' })),
    );
    await page.evaluate(() => ((globalThis as any).location.hash = '#map'));
    await eventually(() => zoomOf(page)).toBe(9);
    for (const zoom of [10, 11]) {
      await page.locator('#incident-map .leaflet-control-zoom-in').click();
      await eventually(() => zoomOf(page)).toBe(zoom);
    }
    await page.locator('#incident-map[data-coast="detailed"]').waitFor();
    // The country-scale outline gave way to the coastline, which runs through this view in detail.
    await expect(page.locator('#incident-map path.basemap-land:not(.basemap-coast)').count()).resolves.toBe(0);
    await eventually(() => coastVertices(page)).toBeGreaterThan(20);
    await expect(page.locator('#incident-map path.basemap-abroad').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#incident-map .leaflet-control-attribution').textContent()).resolves.toContain(
      'OpenStreetMap',
    );
    await expect(page.locator('#incident-map .leaflet-control-scale-line').textContent()).resolves.toMatch(/\d+ k?m/);
    // The schematic roads (straight lines between towns) are not drawn this close.
    await expect(page.locator('#incident-map path.basemap-road').count()).resolves.toBe(0);
    const close = await labelsInView(page);
    for (const name of near) expect(close).toContain(name);
    await page.screenshot({ path: await screenshotPath(`review-${lang}-basemap-sirte`) });

    // Light on the wire: the close-zoom layer is compressed and a few tens of kilobytes.
    await eventually(() => wire.has('/map/neighbours.geojson')).toBe(true);
    expect(encodings.get('/map/libya-coast.geojson')).toMatch(/^(br|gzip)$/);
    const detailBytes = wire.get('/map/libya-coast.geojson')! + wire.get('/map/neighbours.geojson')!;
    expect(detailBytes).toBeGreaterThan(10_000);
    expect(detailBytes).toBeLessThan(40_000);
    console.log(`base layer bytes on the wire (${lang}):`, Object.fromEntries(wire));

    // Out to the country: localities are no longer named, the main towns are.
    for (const zoom of [10, 9, 8, 7, 6]) {
      await page.locator('#incident-map .leaflet-control-zoom-out').click();
      await eventually(() => zoomOf(page)).toBe(zoom);
    }
    // (Leaflet fades a label out before it leaves the page.)
    await eventually(() => page.locator('#incident-map .leaflet-tooltip.town-rank-3').count()).toBe(0);
    await eventually(() => page.locator('#incident-map .leaflet-tooltip.town-rank-2').count()).toBe(0);
    await expect(page.locator('#incident-map path.basemap-road').count()).resolves.toBeGreaterThan(0);
    const wide = await page.locator('#incident-map .leaflet-tooltip.town-rank-1').allTextContents();
    for (const name of far) expect(wide).toContain(name);
    await done(page);
  });
});
