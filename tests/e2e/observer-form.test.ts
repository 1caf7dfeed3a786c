// The observer form in a real Chromium: Arabic right-to-left, per-field errors (local and from the server),
// a conflict on a reused clientId, position from GPS and from the offline map, accessibility and page weight.
import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { makeReport } from '../helpers/factories.ts';
import { fillReport, launchBrowser, openApp, outboxItems, phoneContext, screenshotPath, signIn, vendorPublic } from './helpers/browser.ts';

const PAGE_BUDGET_BYTES = 150 * 1024;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let observer: TestUser;

beforeAll(async () => {
  vendorPublic();
  server = await startTestServer();
  observer = await server.makeUser('observer');
  browser = await launchBrowser();
  context = await phoneContext(browser, {
    geolocation: { latitude: 32.3754, longitude: 15.0925, accuracy: 18 },
    permissions: ['geolocation'],
    timezoneId: 'Africa/Tripoli',
  });
  page = await context.newPage();
  await openApp(page, server.url);
  await signIn(page, observer.username, observer.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('observer form', () => {
  it('gives every control a label and lets the keyboard reach the form with a visible focus', async () => {
    const unlabelled = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('#report-form input, #report-form select, #report-form textarea')]
      .filter((el: any) => el.labels.length === 0).map((el: any) => el.id));
    expect(unlabelled).toEqual([]);

    await page.locator('#main').focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      return { id: el.id, outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth };
    });
    expect(focused.id).toBe('narrative');
    expect(focused.outline).toBe('solid');
    expect(parseFloat(focused.width)).toBeGreaterThanOrEqual(2);

    // Nothing spills sideways on a 360 px screen.
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: await screenshotPath('form-en'), fullPage: true });
  });

  it('shows local validation errors next to the fields they concern', async () => {
    await page.getByRole('button', { name: 'Send report' }).click();
    await expect.poll(() => page.locator('#narrative-error').textContent()).toBe('This field is required.');
    expect(await page.locator('#placeName-error').textContent()).toBe('Give a position (latitude and longitude) or a place name.');
    expect(await page.getByLabel('What did you observe?').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.id)).toBe('form-summary');
    expect(await outboxItems(page)).toEqual([]);
  });

  it('shows the server’s validation issue on its field and keeps the draft', async () => {
    const tooLong = 'x'.repeat(server.config.MAX_NARRATIVE_CHARS + 1);
    await page.getByLabel('What did you observe?').fill(tooLong);
    await page.getByLabel('Place name').fill('Sirte');
    await page.getByRole('button', { name: 'Send report' }).click();
    await expect.poll(() => page.locator('#narrative-error').textContent()).toMatch(/^Rejected by the server: /);
    expect(await page.getByLabel('What did you observe?').inputValue()).toHaveLength(tooLong.length);
    expect(await outboxItems(page)).toEqual([]);
    expect(await server.rt.db.report.count()).toBe(0);
  });

  it('fills the position from the device GPS with its accuracy', async () => {
    await page.getByRole('button', { name: 'Use my GPS' }).click();
    await expect.poll(() => page.getByLabel('Latitude').inputValue()).toBe('32.375400');
    expect(await page.getByLabel('Longitude').inputValue()).toBe('15.092500');
    expect(await page.getByLabel('Accuracy (m)').inputValue()).toBe('18');
    expect(await page.locator('#gps-status').textContent()).toBe('Position found, accuracy ±18 m.');
  });

  it('picks a point on the offline map', async () => {
    await page.getByRole('button', { name: 'Pick on map' }).click();
    const map = page.locator('#map');
    await page.locator('#map[data-ready="true"] .leaflet-overlay-pane path').first().waitFor();
    await map.scrollIntoViewIfNeeded();
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.55);
    await expect.poll(() => page.locator('#gps-status').textContent()).toBe('Point picked on the map.');
    const lat = Number(await page.getByLabel('Latitude').inputValue());
    const lon = Number(await page.getByLabel('Longitude').inputValue());
    // The middle of the map of Libya is somewhere in the Libyan desert, not the GPS fix from before.
    expect(lat).toBeGreaterThan(19);
    expect(lat).toBeLessThan(34);
    expect(lon).toBeGreaterThan(9);
    expect(lon).toBeLessThan(26);
    expect(lat).not.toBeCloseTo(32.3754, 2);
    expect(await page.getByLabel('Accuracy (m)').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Hide map' }).click();
  });

  it('suggests place names as the observer types', async () => {
    await page.getByLabel('Place name').fill('');
    await page.getByLabel('Place name').pressSequentially('Sir');
    await expect.poll(() => page.locator('#places option').evaluateAll((os) => os.map((o: any) => o.value)))
      .toContain('Sirte');
  });

  it('switches to Arabic, right to left, with every label translated', async () => {
    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('rtl');
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('ar');
    for (const label of ['ماذا شاهدت؟', 'وقت المشاهدة', 'خط العرض', 'خط الطول', 'الدقة (م)', 'اسم المكان', 'الطرف المتهم', 'قتلى', 'جرحى', 'مفقودون', 'محتجزون', 'صور ومستندات']) {
      await expect(page.getByLabel(label, { exact: true }).count(), label).resolves.toBe(1);
    }
    expect(await page.getByRole('button', { name: 'إرسال البلاغ' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'بلاغاتي' }).count()).toBe(1);
    const en = await (await fetch(`${server.url}/i18n/en.json`)).json() as Record<string, unknown>;
    const ar = await (await fetch(`${server.url}/i18n/ar.json`)).json() as Record<string, unknown>;
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort());
    // Messages already on screen follow the switch too; only the server's own reason stays as it was sent.
    expect(await page.locator('#narrative-error').textContent()).toMatch(/^رفضه الخادم: /);
    expect(await page.locator('#form-summary').textContent()).toBe('يرجى تصحيح الحقول المشار إليها أدناه.');
    expect(await page.locator('#gps-status').textContent()).toBe('تم اختيار نقطة على الخريطة.');
    // No English left in the form once it is in Arabic (names like LAAF/GNA/PDF/MP4 and the time zone excepted).
    const latinWords = await page.locator('#view-report').evaluate((view: any) => {
      const copy = view.cloneNode(true);
      copy.querySelector('#narrative-error').textContent = '';
      copy.querySelector('#map').textContent = ''; // the map's data credit, a proper name
      return (copy.textContent as string).replace(/LAAF|GNA|GPS|PDF|MP4|Africa\/Tripoli/g, '').match(/[A-Za-z]{3,}/g) ?? [];
    });
    expect(latinWords).toEqual([]);
    // The layout is mirrored: the narrative label starts at the right edge.
    const box = (await page.locator('label[for="narrative"]').boundingBox())!;
    expect(box.x + box.width).toBeGreaterThan(300);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByLabel('ماذا شاهدت؟').fill('');
    await page.screenshot({ path: await screenshotPath('form-ar'), fullPage: true });
  });

  it('formats dates and numbers for Arabic readers in "my reports" and the outbox', async () => {
    await bearer(server.url, observer.token).post('/api/reports', makeReport({ observedAt: '2020-11-14T05:40:00+02:00', placeName: 'Sirte' }));
    await page.getByRole('link', { name: 'بلاغاتي' }).click();
    await expect.poll(() => page.locator('#mine-list li').count()).toBe(1);
    const observed = await page.locator('#mine-list li dd').first().textContent();
    expect(observed).toBe(new Intl.DateTimeFormat('ar-LY', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Africa/Tripoli' }).format(new Date('2020-11-14T05:40:00+02:00')));
    expect(await page.locator('#mine-list .status').textContent()).toBe('مستلم');
    await page.screenshot({ path: await screenshotPath('mine-ar'), fullPage: true });
    await page.getByRole('button', { name: 'التبديل إلى الإنجليزية' }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('ltr');
  });

  it('shows a conflict when the server holds a different report under the same clientId', async () => {
    const clientId = randomUUID();
    const api = bearer(server.url, observer.token);
    expect((await api.post('/api/reports', makeReport({ clientId, narrative: 'Original wording of the report.' }))).status).toBe(201);
    await page.evaluate(async ({ clientId, observerId }) => {
      await (globalThis as any).ObserverSync.enqueue({
        clientId, observerId, createdAt: Date.now(), files: [],
        fields: { clientId, observedAt: '2020-11-14T05:40:00+02:00', narrative: 'A different account under the same id.', placeName: 'Sirte', partyAlleged: 'unknown' },
      });
    }, { clientId, observerId: observer.user.id });
    await page.getByRole('link', { name: /Waiting to send/ }).click();
    await page.getByRole('button', { name: 'Send now' }).click();
    await expect.poll(async () => (await outboxItems(page)).map((i) => i.state)).toEqual(['conflict']);
    await expect.poll(() => page.locator('#outbox-list .status').textContent())
      .toBe('Conflict: the server holds a different report with the same identifier.');
    expect(await server.rt.db.report.count({ where: { clientId } })).toBe(1);
    await page.screenshot({ path: await screenshotPath('outbox-conflict-en'), fullPage: true });
    await page.getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => page.getByLabel('What did you observe?').inputValue()).toBe('A different account under the same id.');
    expect(await outboxItems(page)).toEqual([]);
  });
});

describe('page weight', () => {
  it('loads the form page, service worker precache included, in under 150 KB gzip', async () => {
    const fresh = await phoneContext(browser);
    const urls = new Set<string>();
    fresh.on('request', (r) => { if (r.url().startsWith(server.url)) urls.add(r.url()); });
    const p = await fresh.newPage();
    await openApp(p, server.url);
    await signIn(p, observer.username, observer.password);
    await p.evaluate(() => (globalThis as any).navigator.serviceWorker.ready);
    const cached: string[] = await p.evaluate(async () => {
      const c = (globalThis as any).caches;
      const all = await Promise.all((await c.keys()).map(async (k: string) => (await (await c.open(k)).keys()).map((r: any) => r.url)));
      return all.flat();
    });
    for (const u of cached) urls.add(u);
    expect(urls.size).toBeGreaterThan(10);
    let total = 0;
    const sizes: Record<string, number> = {};
    for (const u of urls) {
      if (/\/api\/auth\/login$/.test(u)) continue;
      const res = await fetch(u, { headers: { cookie: '' } });
      const gz = gzipSync(Buffer.from(await res.arrayBuffer()), { level: 6 }).length;
      sizes[new URL(u).pathname] = gz;
      total += gz;
    }
    console.log(`observer form page: ${urls.size} requests, ${(total / 1024).toFixed(1)} KB gzip`, sizes);
    expect(total).toBeLessThan(PAGE_BUDGET_BYTES);
    await fresh.close();
  });
});
