// The observer app's offline map picker in a real Chromium, in English and Arabic: the map and its zoom buttons are
// named in the page's language (Leaflet's own names are English only), and zoomed in, the smaller places of the
// offline basemap (public/map/places.json) are written on the map in that language, as the main cities always are;
// every place's dot is a button named in that language that a keyboard can reach and press.
// Screenshots: observer-map-picker-{en,ar}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import {
  eventually,
  openApp,
  screenshotPath,
  signIn,
  startObserverSession,
  type ObserverSession,
} from './helpers/browser.ts';

let s: ObserverSession;
beforeAll(async () => {
  s = await startObserverSession({ timezoneId: 'Africa/Tripoli' });
  await openApp(s.page, s.server.url);
  await signIn(s.page, s.observer.username, s.observer.password);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

/** The place names written on the map (its permanent labels). */
const written = (map: Locator) =>
  map.locator('.leaflet-tooltip').evaluateAll((els) => els.map((e: any) => e.textContent as string));

/** Presses the map's own zoom button until `name` is written (`on`) or gone (`!on`), or the button gives out. */
async function zoomUntil(map: Locator, button: Locator, name: string, on: boolean) {
  await eventually(async () => {
    const done = (await written(map)).includes(name) === on;
    if (!done && !(await button.getAttribute('class'))?.includes('leaflet-disabled')) await button.click();
    return done;
  }).toBe(true);
}

describe.each([
  {
    lang: 'en' as const,
    mapName: 'Map of Libya. Tap to choose a point; arrow keys move the map.',
    zoomIn: 'Zoom in',
    zoomOut: 'Zoom out',
    city: 'Misrata',
    town: 'Tawergha',
    locality: 'Misrata airport',
    pickTown: 'Choose Tawergha',
  },
  {
    lang: 'ar' as const,
    mapName: 'خريطة ليبيا. انقر لاختيار نقطة؛ مفاتيح الأسهم تحرك الخريطة.',
    zoomIn: 'تكبير',
    zoomOut: 'تصغير',
    city: 'مصراتة',
    town: 'تاورغاء',
    locality: 'مطار مصراتة',
    pickTown: 'اختيار تاورغاء',
  },
])('$lang: the map picker', ({ lang, mapName, zoomIn, zoomOut, city, town, locality, pickTown }) => {
  it('names the map and its zoom buttons, and writes the smaller places once zoomed in', async () => {
    const page = s.page;
    if (lang === 'ar') {
      await page.getByRole('button', { name: 'Switch to Arabic' }).click();
      await eventually(() => page.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('rtl');
    }
    // Near Misrata: the picker opens on the position already in the form.
    await page.locator('#lat').fill('32.3754');
    await page.locator('#lon').fill('15.0925');
    await page.locator('#map-toggle').click();
    await page.locator('#map[data-ready="true"] .leaflet-overlay-pane path').first().waitFor();

    const map = page.getByRole('application', { name: mapName, exact: true });
    await expect(map.count()).resolves.toBe(1);
    const inButton = map.getByRole('button', { name: zoomIn, exact: true });
    const outButton = map.getByRole('button', { name: zoomOut, exact: true });
    await expect(inButton.count()).resolves.toBe(1);
    await expect(outButton.count()).resolves.toBe(1);
    await expect(inButton.getAttribute('title')).resolves.toBe(zoomIn);
    await expect(outButton.getAttribute('title')).resolves.toBe(zoomOut);

    // At a region's scale the cities and towns are written, the localities not yet.
    await eventually(() => written(map)).toContain(city);
    await eventually(() => written(map)).toContain(town);
    await expect(written(map)).resolves.not.toContain(locality);
    await zoomUntil(map, inButton, locality, true);
    await expect(written(map)).resolves.toContain(city);
    if (lang === 'ar') {
      // Every name written is the Arabic one.
      expect((await written(map)).filter((name) => /[A-Za-z]/.test(name))).toEqual([]);
    }
    await map.scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath(`observer-map-picker-${lang}`) });

    // Out again, the localities' names go (the city's stays).
    await zoomUntil(map, outButton, locality, false);
    await expect(written(map)).resolves.toContain(city);

    // Each place's dot is a named button a keyboard reaches: Enter on Tawergha's puts its position in the form.
    const dot = map.getByRole('button', { name: pickTown, exact: true });
    await expect(dot.count()).resolves.toBe(1);
    await dot.focus();
    await page.keyboard.press('Enter');
    await eventually(async () => [
      Number(await page.locator('#lat').inputValue()).toFixed(2),
      Number(await page.locator('#lon').inputValue()).toFixed(2),
    ]).toEqual(['31.97', '15.12']);
    await page.locator('#map-toggle').click();
  });
});
