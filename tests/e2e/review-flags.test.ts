// A report accepted with doubts (a mistyped year, a point in Paris with "Sirte" typed) shows them on the incident
// page, with what the observer added later, in English and Arabic, and is drawn at Sirte rather than in Paris. Screenshots: review-flags-{en,ar}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { makeReport } from '../helpers/factories.ts';
import { fileAndWaitProcessed } from '../helpers/wait.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { done, laptopContext, openReview, signedInState, watch } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;
let chair: TestUser;
let incidentId: string;
let reportId: string;
let chairState: Awaited<ReturnType<typeof signedInState>>;

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ workers: true });
  chair = await s.makeUser('commission');
  const observer = bearer(s.url, (await s.makeUser('observer')).token);
  const report = await fileAndWaitProcessed(
    observer,
    makeReport({
      // A phone set to 2099: the same day in the year of receipt has passed, so only the year is off.
      observedAt: `2099-01-02T05:40:00+02:00`,
      lat: 48.8566,
      lon: 2.3522,
      placeName: 'Sirte',
    }),
  );
  incidentId = report.incidentId;
  reportId = report.id;
  // A later note from the observer, shown with the report.
  expect((await observer.post(`/api/reports/${report.id}/additions`, { text: 'Seen again at dusk.' })).status).toBe(
    201,
  );
  browser = await launchBrowser();
  chairState = await signedInState(browser, s.url, chair);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('flags on the incident page', () => {
  it('names what was reported and what was used, in English and in Arabic', async () => {
    const page = watch(await (await laptopContext(browser, { storageState: chairState })).newPage());
    await openReview(page, s.url, `#incident/${incidentId}`);
    const flags = page.locator('#view-incident article.report .report-flags');
    await flags.waitFor();
    await expect(flags.getByRole('heading').textContent()).resolves.toBe('Check before trusting');
    await expect(flags.locator('li[data-flag="year_mistyped"]').textContent()).resolves.toMatch(
      /^The year looks mistyped: reported .*2099.*, read as .*/,
    );
    const added = page.locator('#view-incident article.report .report-additions');
    await expect(added.locator('li').textContent()).resolves.toMatch(/^Added .*Seen again at dusk\.$/);
    // Coordinates are isolated left-to-right so that Arabic text does not reorder them.
    await expect(flags.locator('li[data-flag="outside_area"]').textContent()).resolves.toBe(
      'Position outside the mission area (\u206648.8566, 2.3522\u2069): placed at the typed place, Sirte.',
    );
    // The page draws and compares the report at Sirte, not in Paris.
    // (A string, so that the test runner does not try to resolve the page's own module.)
    const drawnAt = await page.evaluate(`(async () => {
      const { reportPosition } = await import('/review/js/evidence.js');
      return reportPosition(await (await fetch('/api/reports/${reportId}')).json());
    })()`);
    expect(drawnAt).toEqual({ lat: 31.2089, lon: 16.5887 });
    await flags.scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('review-flags-en') });

    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await eventually(() => flags.getByRole('heading').textContent()).toBe('تحقق قبل الاعتماد');
    await expect(flags.locator('li[data-flag="outside_area"]').textContent()).resolves.toContain('سرت');
    await expect(flags.locator('li[data-flag="year_mistyped"]').textContent()).resolves.toMatch(/^يبدو أن السنة/);
    await expect(added.getByRole('heading').textContent()).resolves.toBe('ما أضافه المراقب بعد الإرسال');
    await flags.scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('review-flags-ar') });
    await done(page);
  });

  it('says when an ODK edit was made from an older version than the latest, in English and in Arabic', async () => {
    // The flag as intake writes it for such an edit (tests/integration/openrosa/edits.test.ts makes one over ODK).
    const edited = await s.rt.db.report.findUniqueOrThrow({ where: { id: reportId }, select: { flags: true } });
    await s.rt.db.report.update({
      where: { id: reportId },
      data: {
        flags: [
          ...(edited.flags as object[]),
          { code: 'edited_from_older', field: 'version', reported: 1, inferred: 3 },
        ],
      },
    });
    const page = watch(await (await laptopContext(browser, { storageState: chairState })).newPage());
    await openReview(page, s.url, `#incident/${incidentId}`);
    const flag = page.locator('#view-incident article.report .report-flags li[data-flag="edited_from_older"]');
    await flag.waitFor();
    await expect(flag.textContent()).resolves.toMatch(/^The observer edited version 1, not the latest \(version 3\)/);
    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await eventually(() => flag.textContent()).toMatch(/^عدّل المراقب النسخة 1 وليس أحدثها \(النسخة 3\)/);
    await done(page);
  });
});
