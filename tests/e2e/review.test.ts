// Commission pages in Debian Chromium against the real server (PostgreSQL, Redis, workers): sign in,
// filter the queue (fields and a drawn area), open an incident, verify it, bulk-assign, the clustered map,
// compile a digest and download its PDF, Arabic RTL, and an observer refused. Screenshots of the main
// pages go to test-artifacts/screenshots/review-*.png for a reviewer to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import {
  done,
  laptopContext,
  openReview,
  queueRows,
  signedInState,
  signInReview,
  tabletContext,
  watch,
} from './helpers/review-browser.ts';
import { seedIncidents } from './helpers/review-seed.ts';
import { insertIncidentWithReports } from '../helpers/factories.ts';
import { FIXTURE } from './helpers/review-fixtures.ts';

let s: TestServer;
let browser: Browser;
let chair: TestUser;
let member: TestUser;
let observer: TestUser;
let sirte: string;
let misrata: string;
let ubari: string;
// The chair signs in once, through the page (password and second factor); each test opens pages with those cookies.
let chairState: Awaited<ReturnType<typeof signedInState>>;

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ workers: true });
  chair = await s.makeUser('commission');
  member = await s.makeUser('commission');
  observer = await s.makeUser('observer');
  [sirte, misrata, ubari] = (await seedIncidents(s, observer, FIXTURE)) as [string, string, string];
  browser = await launchBrowser();
  chairState = await signedInState(browser, s.url, chair);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function commissionPage(hash = ''): Promise<Page> {
  const page = watch(await (await laptopContext(browser, { storageState: chairState })).newPage());
  await openReview(page, s.url, hash);
  return page;
}

describe('commission pages', () => {
  it('an observer who opens /review/ is refused, and the API refuses them too', async () => {
    const page = watch(await (await laptopContext(browser)).newPage());
    await openReview(page, s.url);
    await signInReview(page, observer);
    await expect(page.getByRole('heading', { name: 'Not available' }).isVisible()).resolves.toBe(true);
    expect(await page.locator('#view-queue').isHidden()).toBe(true);
    expect(await page.locator('#nav').isHidden()).toBe(true);
    const status = await page.evaluate(() => fetch('/api/incidents').then((r) => r.status));
    expect(status).toBe(403);
    await done(page);
  });

  it('signs in, shows the queue with counts per state, filters by term and by a drawn area', async () => {
    const page = await commissionPage();
    expect(new Set(await queueRows(page))).toEqual(new Set([sirte, misrata, ubari]));
    await expect(page.locator('#state-tabs [data-state="new"] .count').textContent()).resolves.toBe('3');
    await page.screenshot({ path: await screenshotPath('review-queue') });

    await page.locator('#filters').getByLabel('Term', { exact: true }).selectOption('hostilities');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await queueRows(page)).toEqual([sirte]);
    // Counts follow the filters too (every filter but the state).
    await expect(page.locator('#state-tabs [data-state=""] .count').textContent()).resolves.toBe('1');

    await page.getByRole('button', { name: 'Reset' }).click();
    expect(await queueRows(page)).toHaveLength(3);

    // Drag a rectangle over the south-west of the small map: Ubari (Fezzan) inside, the coast outside.
    await page.getByRole('button', { name: 'Draw area' }).click();
    const box = (await page.locator('#bbox-map').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.7, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.95, { steps: 5 });
    await page.mouse.up();
    expect(await queueRows(page)).toEqual([ubari]);
    const [minLon, minLat, maxLon, maxLat] = (await page.locator('#f-bbox').inputValue()).split(',').map(Number);
    expect(minLon).toBeLessThan(12.78);
    expect(maxLon).toBeGreaterThan(12.78);
    expect(minLat).toBeLessThan(26.59);
    expect(maxLat).toBeGreaterThan(26.59);
    expect(maxLat).toBeLessThan(31.19);

    await page.getByRole('button', { name: 'Clear area' }).click();
    expect(await queueRows(page)).toHaveLength(3);
    await done(page);
  });

  it('opens an incident: reports side by side, evidence marked, EXIF disagreement warned; verifies it', async () => {
    const page = await commissionPage();
    await queueRows(page);
    await page.locator(`#queue-rows tr[data-id="${sirte}"] a`).click();
    await page.locator('#incident-title').waitFor();
    const view = page.locator('#view-incident');
    await expect(view.locator('article.report').count()).resolves.toBe(2);
    // Each narrative shows the words the classifier cited for "Cessation of hostilities", marked in place.
    for (const report of await view.locator('article.report').all()) {
      const narrative = (await report.locator('.narrative').textContent())!;
      const marks = await report
        .locator('.narrative mark')
        .evaluateAll((ms) => ms.map((m: any) => ({ text: m.textContent, title: m.title })));
      expect(marks.length).toBeGreaterThan(0);
      for (const m of marks) expect(narrative).toContain(m.text);
      expect(marks.map((m) => m.title)).toContain('Cessation of hostilities');
    }
    // The first report's photo was taken ~40 km away from where the observer stood; the second's was not.
    const warnings = view.locator('article.report').first().locator('.warning');
    await expect(warnings.first().textContent()).resolves.toMatch(/Photo taken [\d.]+ km from the reported position/);
    await expect(view.locator('article.report').nth(1).locator('.warning').count()).resolves.toBe(0);
    const thumb = view.locator('article.report img').first();
    await expect(
      thumb.evaluate((img: any) => img.decode().then(() => img.naturalWidth as number)),
    ).resolves.toBeGreaterThan(0);
    await view.locator('#incident-map-small .leaflet-interactive').first().waitFor();
    await page.screenshot({ path: await screenshotPath('review-incident'), fullPage: true });

    await view.getByLabel('New state').selectOption('verified');
    await view.getByLabel('Note (optional)').first().fill('Two teams, consistent accounts.');
    await view.getByRole('button', { name: 'Change state' }).click();
    await page.locator('#flash', { hasText: 'State changed to Verified' }).waitFor();
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: sirte } })).state).toBe('verified');
    await view.locator('.history li').first().waitFor();
    await expect(view.locator('.history').textContent()).resolves.toContain(
      `${chair.username} changed the state from New to Verified: “Two teams, consistent accounts.”`,
    );
    await done(page);
  });

  it('links an incident named in a report\'s reasons ("also matches incident …"), for the reviewer to compare', async () => {
    const report = await s.rt.db.report.findFirstOrThrow({ where: { incidentId: misrata } });
    await s.rt.db.report.update({
      where: { id: report.id },
      data: {
        assignmentReasons: [
          'same place misrata',
          `also matches incident ${ubari} (score 4.2): possibly the same incident, merge if so`,
        ],
      },
    });
    const page = await commissionPage(`#incident/${misrata}`);
    await page.locator('#incident-title').waitFor();
    const before = await page.locator('#incident-title').textContent();
    const link = page.locator(`#view-incident .reasons a.incident-ref[href="#incident/${ubari}"]`);
    await expect(link.textContent()).resolves.toBe(ubari.slice(0, 8));
    await link.click();
    await page.waitForFunction(
      (id) => (globalThis as unknown as { location: { hash: string } }).location.hash === `#incident/${id}`,
      ubari,
    );
    await eventually(() => page.locator('#incident-title').textContent()).not.toBe(before);
    await done(page);
  });

  it('shows an Arabic narrative right-to-left', async () => {
    const page = await commissionPage(`#incident/${misrata}`);
    await page.locator('#incident-title').waitFor();
    const narrative = page.locator('#view-incident .narrative').first();
    await expect(narrative.getAttribute('dir')).resolves.toBe('rtl');
    const marks = await narrative.locator('mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    const text = (await narrative.textContent())!;
    for (const m of marks) expect(text).toContain(m);
    await expect(narrative.locator('mark').first().getAttribute('title')).resolves.toBe(
      'Opening of land routes and air traffic',
    );
    await done(page);
  });

  it('assigns a selection of incidents in bulk', async () => {
    const page = await commissionPage();
    await queueRows(page);
    await page.locator(`#queue-rows tr[data-id="${misrata}"] input[type=checkbox]`).check();
    await page.locator(`#queue-rows tr[data-id="${ubari}"] input[type=checkbox]`).check();
    await expect(page.locator('#bulk-count').textContent()).resolves.toBe('2 selected');
    await page.locator('#bulk-assignee').selectOption({ label: member.username });
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.locator('#flash', { hasText: 'Updated 2; 0 refused.' }).waitFor();
    const rows = await s.rt.db.incident.findMany({
      where: { id: { in: [misrata, ubari] } },
      select: { assigneeId: true },
    });
    expect(rows.map((r) => r.assigneeId)).toEqual([member.user.id, member.user.id]);
    await done(page);
  });

  it('draws the incidents on the offline map with clustering', async () => {
    const page = await commissionPage('#map');
    await page.locator('#map-message', { hasText: '3 incidents on the map' }).waitFor();
    // The base layer is the packaged GeoJSON (no tile images at all), with the incidents over it.
    await expect(page.locator('#incident-map img.leaflet-tile').count()).resolves.toBe(0);
    await expect(page.locator('#incident-map path.leaflet-interactive').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#incident-map .leaflet-overlay-pane path').count()).resolves.toBeGreaterThan(2);
    await page.screenshot({ path: await screenshotPath('review-map') });
    await done(page);
  });

  it('compiles a digest for a date range and downloads its PDF', async () => {
    const page = await commissionPage('#digests');
    const form = page.locator('#digest-form');
    await form.getByLabel('From').fill('2020-11-09');
    await form.getByLabel('To').fill('2020-12-06');
    await page.getByRole('button', { name: 'Compile digest' }).click();
    await page.locator('#flash:not([hidden]), #digest-error:not(:empty)').first().waitFor();
    await expect(page.locator('#digest-error').textContent()).resolves.toBe('');
    await expect(page.locator('#flash').textContent()).resolves.toBe('Digest compiled.');
    const item = page.locator('#digests-list > li').first();
    await item.waitFor();
    await page.screenshot({ path: await screenshotPath('review-digests') });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.locator('li[lang="en"]').getByRole('link', { name: 'PDF' }).click(),
    ]);
    const pdf = await readFile((await download.path())!);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await done(page);
  });

  it('switches to Arabic right-to-left and keeps working on a tablet', async () => {
    const page = watch(await (await tabletContext(browser, { storageState: chairState })).newPage());
    await openReview(page, s.url);
    await queueRows(page);
    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await expect(page.getByRole('heading', { level: 1 }).first().textContent()).resolves.toBe('قائمة الحوادث');
    await expect(page.locator('#state-tabs [data-state="verified"]').textContent()).resolves.toContain('مؤكَّدة');
    // No horizontal scrolling of the page itself on a tablet; only the table may scroll inside its frame.
    expect(
      await page.evaluate(() => {
        const g = globalThis as any;
        return g.document.documentElement.scrollWidth <= g.innerWidth;
      }),
    ).toBe(true);
    await page.screenshot({ path: await screenshotPath('review-queue-ar-tablet'), fullPage: true });
    await done(page);
  });

  // Last: the incident it adds would change the queue the tests above count.
  it('pages the reports of a large incident: "n of N", more on demand, in English and Arabic', async () => {
    const big = await insertIncidentWithReports(
      s.rt.db,
      observer.user.id,
      Array.from({ length: 120 }, (_, i) => ({
        observedAt: new Date(Date.UTC(2020, 10, 14, 5, 0, 0) + i * 60_000),
        narrative: `Shelling heard east of Sirte, report ${i}.`,
      })),
      { summary: 'Large incident' },
    );
    const page = await commissionPage(`#incident/${big.id}`);
    const view = page.locator('#view-incident');
    const title = view.locator('#reports-title');
    await eventually(() => title.textContent()).toBe('50 of 120 reports side by side');
    await expect(view.locator('article.report').count()).resolves.toBe(50);
    await view.getByRole('button', { name: 'Load more reports' }).click();
    await eventually(() => title.textContent()).toBe('100 of 120 reports side by side');
    await view.getByRole('button', { name: 'Load more reports' }).click();
    await eventually(() => title.textContent()).toBe('120 of 120 reports side by side');
    await expect(view.locator('article.report').count()).resolves.toBe(120);
    await expect(view.getByRole('button', { name: 'Load more reports' }).count()).resolves.toBe(0);
    await expect(view.locator('article.report .narrative').last().textContent()).resolves.toContain('report 119');

    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await eventually(() => title.textContent()).toMatch(/^120 من 120 بلاغاً/);
    await done(page);

    const ar = await commissionPage(`#incident/${big.id}`);
    await ar.getByRole('button', { name: 'Switch to Arabic' }).click();
    await eventually(() => ar.locator('#reports-title').textContent()).toMatch(/^50 من 120 بلاغاً/);
    await expect(
      ar.locator('#view-incident').getByRole('button', { name: 'تحميل المزيد من البلاغات' }).count(),
    ).resolves.toBe(1);
    await ar.locator('#more-reports').scrollIntoViewIfNeeded();
    await ar.screenshot({ path: await screenshotPath('review-incident-paged-ar') });
    await done(ar);
  });
});
