// The admin pages of /review/ in Debian Chromium against the real server (workers and relay running): webhooks
// (register an endpoint through the form, its secret shown once, a dead letter listed and resent), SMS intake (a text
// from an unknown number held, the number registered to an observer, the text filed), in English and Arabic; a
// commission member sees none of them. Screenshots go to test-artifacts/screenshots/review-integrations-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { bearer } from '../helpers/http.ts';
import { launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { done, laptopContext, openReview, signedInState, signInReview, watch } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;
let admin: TestUser;
let member: TestUser;
let receiver: Receiver;
let adminState: Awaited<ReturnType<typeof signedInState>>;
const GATEWAY_SECRET = 'e2e-gateway-secret-0123456789';

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({
    workers: true,
    env: { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_BACKOFF_MS: '50', SMS_GATEWAY_SECRET: GATEWAY_SECRET },
  });
  admin = await s.makeUser('admin');
  member = await s.makeUser('commission');
  receiver = await startReceiver(503);
  browser = await launchBrowser();
  adminState = await signedInState(browser, s.url, admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
  await receiver?.close();
});

async function adminPage(hash: string): Promise<Page> {
  const page = watch(await (await laptopContext(browser, { storageState: adminState })).newPage());
  await openReview(page, s.url, hash);
  return page;
}

describe('admin pages', () => {
  it('registers an endpoint through the form and shows its secret once', async () => {
    const page = await adminPage('#webhooks');
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByLabel('Address', { exact: true }).fill(`${receiver.url}/hook`);
    await page.getByLabel('Description (optional)').fill('Mission dashboard');
    await page
      .locator('#webhook-events')
      .getByLabel(/Digest published/)
      .check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.locator('#webhook-secret-value');
    await secret.waitFor();
    expect(await secret.textContent()).toMatch(/^whsec_/);
    await expect(page.locator('#webhooks-rows tr').count()).resolves.toBe(1);
    await page.screenshot({ path: await screenshotPath('review-integrations-webhooks') });
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.locator('#webhook-secret').isHidden()).toBe(true);
    const [endpoint] = (await bearer(s.url, admin.token).get('/api/webhooks')).body.items;
    expect(endpoint).toMatchObject({ url: `${receiver.url}/hook`, events: ['digest.published'], active: true });
    await done(page);
  });

  it('lists a dead letter and sends it again', async () => {
    const compiled = await bearer(s.url, admin.token).post('/api/digests', { from: '2020-11-09', to: '2020-11-15' });
    expect(compiled.status).toBe(201);
    const deliveries = async (status: string) =>
      (await bearer(s.url, admin.token).get(`/api/webhooks/deliveries?status=${status}`)).body.items;
    await waitFor(async () => (await deliveries('dead')).length === 1, 'a dead letter');
    receiver.fallback = 200;
    const page = await adminPage('#webhooks');
    await page.locator('#deliveries-status').selectOption('dead');
    // The first load (every state) may still be answering: act on the list only once the filtered one is in.
    await page.locator('#deliveries-table[aria-busy="false"]').waitFor();
    const row = page.locator('#deliveries-rows tr[data-status="dead"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Details' }).click();
    await page.locator('.delivery-detail .tries li').first().waitFor();
    await expect(page.locator('.delivery-detail .tries li').count()).resolves.toBe(2);
    await row.getByRole('button', { name: 'Send again' }).click();
    await page.getByText('Queued to be sent again.').waitFor();
    await waitFor(async () => (await deliveries('delivered')).length === 1, 'the resent delivery delivered');
    expect(receiver.requests.at(-1)?.path).toBe('/hook');
    await done(page);
  });

  it('keeps the list to the chosen state when an answer for the earlier choice comes late', async () => {
    const page = watch(await (await laptopContext(browser, { storageState: adminState })).newPage());
    // Hold the first list (every state) until the narrower one has been answered and drawn.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/api\/webhooks\/deliveries(\?(?!.*status=)[^/]*)?$/, async (route) => {
      await held;
      await route.continue();
    });
    // Not openReview: the page counts as ready only once its first list is in, and that one is held.
    await page.goto(`${s.url}/review/#webhooks`);
    await page.locator('#deliveries-status').selectOption('cancelled');
    await page.getByText('No delivery to show.').waitFor();
    release();
    await page.locator('#deliveries-table[aria-busy="false"]').waitFor();
    await page.waitForLoadState('networkidle');
    await expect(page.locator('#deliveries-rows tr[data-id]').count()).resolves.toBe(0);
    await done(page);
  });

  it('holds a text from an unknown number until its phone is registered, then files it', async () => {
    const observer = await s.makeUser('observer', 'field.observer');
    const sent = await fetch(`${s.url}/api/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-gateway-secret': GATEWAY_SECRET },
      body: new URLSearchParams({ from: '+218 91 555 0101', text: 'R Sirte LAAF mortar fire near the port' }),
    });
    expect(await sent.text()).toMatch(/^This number is not registered/);
    const page = await adminPage('#sms');
    const row = page.locator('#sms-rows tr[data-status="unknown_sender"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('R Sirte LAAF mortar fire near the port');
    await page.getByLabel('field.observer').fill('+218 91 555 0101');
    await page.locator(`#phones-rows tr[data-id="${observer.user.id}"]`).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Phone of field.observer saved.').waitFor();
    expect(await page.getByLabel('field.observer').inputValue()).toBe('+218915550101');
    await page.screenshot({ path: await screenshotPath('review-integrations-sms') });
    await row.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Read again: Filed as a report.').waitFor();
    const [report] = (await bearer(s.url, observer.token).get('/api/reports')).body.items;
    expect(report).toMatchObject({ source: 'sms', placeName: 'Sirte', partyAlleged: 'LAAF' });
    await done(page);
  });

  it('opens the read-only queue dashboard from the navigation', async () => {
    const page = await adminPage('#webhooks');
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.waitForURL(/\/admin\/queues/);
    await page.getByText('webhooks', { exact: true }).first().waitFor();
    for (const queue of ['reports', 'digests', 'incidents', 'models'])
      await page.getByText(queue, { exact: true }).first().waitFor();
    await page.screenshot({ path: await screenshotPath('review-integrations-queues') });
    await done(page);
  });

  it('reads in Arabic, right to left', async () => {
    const page = await adminPage('#webhooks');
    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.locator('html[dir="rtl"]').waitFor();
    await page.getByRole('heading', { name: 'إشعارات الويب (Webhooks)' }).waitFor();
    await page.screenshot({ path: await screenshotPath('review-integrations-webhooks-ar') });
    await page.getByRole('link', { name: 'الرسائل القصيرة' }).click();
    await page.getByRole('heading', { name: 'البلاغات بالرسائل القصيرة' }).waitFor();
    await page.screenshot({ path: await screenshotPath('review-integrations-sms-ar') });
    await page.getByRole('button', { name: 'التبديل إلى الإنجليزية' }).click();
    await page.locator('html[dir="ltr"]').waitFor();
    await done(page);
  });

  it('shows a commission member no admin page', async () => {
    const page = watch(await (await laptopContext(browser)).newPage());
    await openReview(page, s.url, '#webhooks');
    await signInReview(page, member);
    await page.locator('#view-queue').waitFor();
    expect(
      await page
        .locator('#nav a[data-admin]')
        .evaluateAll((as) => as.every((a) => (a as unknown as { hidden: boolean }).hidden)),
    ).toBe(true);
    expect(await page.locator('#view-webhooks').isHidden()).toBe(true);
    await done(page);
  });
});
