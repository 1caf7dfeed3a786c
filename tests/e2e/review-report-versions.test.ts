// A report its observer edited from ODK Collect (an edit of a sent form, deprecatedID) shows on the incident page as
// the version it is now, with each earlier version as filed, in English and Arabic; the page refreshes by itself
// when the edit arrives. Screenshots: review-report-versions-{en,ar}.png.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { collectSubmission } from '../helpers/factories.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { done, laptopContext, openReview, signedInState, watch } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;
let chair: TestUser;
let observer: TestUser;
let chairState: Awaited<ReturnType<typeof signedInState>>;

const FIRST = 'Convoy of 12 technicals moving west toward Abu Grein on the coastal road.';
const EDITED = 'Correction: 14 technicals, and they stopped 5 km east of Abu Grein.';

const submit = (xml: string) => {
  const form = new FormData();
  form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
  const auth = `Basic ${Buffer.from(`${observer.username}:${observer.password}`).toString('base64')}`;
  return fetch(`${s.url}/submission`, { method: 'POST', headers: { authorization: auth }, body: form });
};
const fields = (narrative: string) => ({ narrative, photo: '', location: '31.4452 15.2503 10.0 8.0' });

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ workers: true });
  chair = await s.makeUser('commission');
  observer = await s.makeUser('observer');
  browser = await launchBrowser();
  chairState = await signedInState(browser, s.url, chair);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('an edited report on the incident page', () => {
  it('shows the version it is and the earlier one as filed, in English and in Arabic', async () => {
    const first = randomUUID();
    const sent = await submit(collectSubmission(fields(FIRST), { instanceId: first }));
    expect(sent.status).toBe(201);
    const reportId = (sent.headers.get('location') ?? '').split('/').pop()!;
    await expect
      .poll(async () => (await s.rt.db.report.findUniqueOrThrow({ where: { id: reportId } })).incidentId, {
        timeout: 30_000,
        interval: 100,
      })
      .toBeTruthy();
    const { incidentId } = await s.rt.db.report.findUniqueOrThrow({ where: { id: reportId } });

    const page = watch(await (await laptopContext(browser, { storageState: chairState })).newPage());
    await openReview(page, s.url, `#incident/${incidentId}`);
    const report = page.locator(`#view-incident article.report[data-id="${reportId}"]`);
    await expect(report.locator('blockquote.narrative').first().textContent()).resolves.toContain('Convoy of 12');
    expect(await report.locator('.report-versions').count()).toBe(0);

    // The observer edits the sent form; the open page takes the new version without a reload.
    const res = await submit(collectSubmission(fields(EDITED), { instanceId: randomUUID(), deprecatedId: first }));
    expect(res.status).toBe(201);
    const versions = report.locator('.report-versions');
    await eventually(() => versions.getByRole('heading').textContent(), { timeout: 30_000 }).toBe(
      'Edited by the observer: this is version 2',
    );
    await expect(report.locator('> blockquote.narrative').textContent()).resolves.toContain('14 technicals');
    await versions.locator('summary').click();
    await expect(versions.locator('summary').textContent()).resolves.toBe('1 earlier version, as filed');
    const earlier = versions.locator('li[data-version="1"]');
    await expect(earlier.locator('blockquote').textContent()).resolves.toBe(FIRST);
    await expect(earlier.locator('.note').textContent()).resolves.toMatch(/^Version 1, replaced /);
    await versions.scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('review-report-versions-en') });

    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await eventually(() => versions.getByRole('heading').textContent()).toBe('عدّله المراقب: هذه النسخة 2');
    await versions.locator('summary').click();
    await expect(versions.locator('summary').textContent()).resolves.toBe('نسخة سابقة واحدة كما أُرسلت');
    await expect(earlier.locator('.note').textContent()).resolves.toMatch(/^النسخة 1، استُبدلت /);
    await versions.scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('review-report-versions-ar') });
    await done(page);
  });
});
