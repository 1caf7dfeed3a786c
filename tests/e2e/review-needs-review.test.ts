// The queue marks incidents whose automatic reading the model is unsure of, and the filter panel lists them alone,
// in English and in Arabic. Screenshots: test-artifacts/screenshots/review-needs-review-{en,ar}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { done, laptopContext, openReview, queueRows, signedInState, watch } from './helpers/review-browser.ts';
import { incidentRow } from '../helpers/factories.ts';
import { reviewThresholdOf } from '../../src/classify/model/index.ts';

let s: TestServer;
let browser: Browser;
let state: Awaited<ReturnType<typeof signedInState>>;
const threshold = reviewThresholdOf('libya-2020')!;
const unsure = incidentRow({ confidence: threshold - 0.1, placeName: 'Sirte', summary: 'Unsure reading' });
const sure = incidentRow({ confidence: Math.min(1, threshold + 0.1), placeName: 'Misrata', summary: 'Sure reading' });

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ relay: false });
  await s.rt.db.incident.createMany({ data: [unsure, sure] });
  browser = await launchBrowser();
  state = await signedInState(browser, s.url, await s.makeUser('commission'));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const tagOf = (page: Page, id: string) => page.locator(`#queue-rows tr[data-id="${id}"] .tag.unsure`);

describe('incidents the model is unsure of, in the queue', () => {
  it('are tagged for a human check and can be listed alone, in English and Arabic', async () => {
    const page = watch(await (await laptopContext(browser, { storageState: state })).newPage());
    await openReview(page, s.url);
    expect((await queueRows(page)).sort()).toEqual([unsure.id, sure.id].sort());
    await expect(tagOf(page, unsure.id!).textContent()).resolves.toBe('Check the reading');
    await expect(tagOf(page, sure.id!).count()).resolves.toBe(0);

    await page.getByLabel('Automatic reading').selectOption('true');
    await page.locator('#filters').evaluate((f: any) => f.requestSubmit());
    await eventually(() => queueRows(page)).toEqual([unsure.id]);
    await page.screenshot({ path: await screenshotPath('review-needs-review-en') });

    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await eventually(() => tagOf(page, unsure.id!).textContent()).toBe('راجِع التصنيف');
    await expect(page.locator('#f-needsReview option[value="true"]').textContent()).resolves.toBe('غير مؤكدة');
    await page.screenshot({ path: await screenshotPath('review-needs-review-ar') });
    await done(page);
  });
});
