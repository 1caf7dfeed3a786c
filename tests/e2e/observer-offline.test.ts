// The observer app in a real Chromium against the real API: a report filed online, one filed with no
// connection (kept in IndexedDB, sent when the connection returns), and a delivery whose response is lost;
// each must reach the database exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg } from '../helpers/factories.ts';
import {
  eventually,
  fillReport,
  openApp,
  outboxItems,
  screenshotPath,
  serviceWorkerInControl,
  signIn,
  startObserverSession,
  type ObserverSession,
} from './helpers/browser.ts';

let s: ObserverSession;
beforeAll(async () => {
  s = await startObserverSession();
});
afterAll(async () => {
  await s?.close();
});

const reportsOf = (observerId: string) =>
  s.server.rt.db.report.findMany({
    where: { observerId },
    include: { attachments: true },
    orderBy: { receivedAt: 'asc' },
  });

describe('observer app, online and offline', () => {
  it('files a report with a photo while online', async () => {
    await openApp(s.page, s.server.url);
    await signIn(s.page, s.observer.username, s.observer.password);
    await fillReport(s.page, {
      narrative:
        'Two armed pickup trucks moving west on the coastal road at the Abu Grein checkpoint. Own observation.',
      placeName: 'Abu Grein',
      killed: 0,
      photo: { name: 'checkpoint.jpg', buffer: await makeJpeg(11) },
    });
    await s.page.getByRole('button', { name: 'Send report' }).click();
    await eventually(() => s.page.locator('#flash').textContent()).toBe('Report sent.');
    const rows = await reportsOf(s.observer.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe('web');
    expect(rows[0]!.placeName).toBe('Abu Grein');
    expect(rows[0]!.casualties).toEqual({ killed: 0 });
    expect(rows[0]!.attachments.map((a) => a.mime)).toEqual(['image/jpeg']);
    // The form starts over for the next report, with the observation time reset to now.
    expect(await s.page.getByLabel('What did you observe?').inputValue()).toBe('');
    expect(await s.page.getByLabel('Observed at').inputValue()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('keeps a report made offline on the device and shows it as waiting', async () => {
    await serviceWorkerInControl(s.page);
    await s.context.setOffline(true);
    // The app shell comes from the service worker's cache: the observer can reopen the app with no signal.
    const reload = await s.page.reload();
    expect(reload?.fromServiceWorker()).toBe(true);
    await s.page.waitForSelector('body[data-ready="true"]');
    await eventually(() => s.page.locator('#net').textContent()).toContain('Offline');

    await fillReport(s.page, {
      narrative: 'Artillery fire heard south of Sirte for about twenty minutes, impacts near the airport road.',
      lat: 31.1,
      lon: 16.55,
      photo: { name: 'smoke.jpg', buffer: await makeJpeg(12) },
    });
    await s.page.getByRole('button', { name: 'Send report' }).click();
    await eventually(() => s.page.locator('#flash').textContent()).toContain('saved on this device');

    const waiting = await outboxItems(s.page);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.files).toHaveLength(1);
    expect(await reportsOf(s.observer.user.id)).toHaveLength(1);

    await s.page.getByRole('link', { name: /Waiting to send/ }).click();
    await eventually(() => s.page.locator('#outbox-count').textContent()).toBe('1 report waiting');
    expect(await s.page.locator('#outbox-badge').textContent()).toBe('1');
    await eventually(() => s.page.locator('#outbox-list li').count()).toBe(1);
    await s.page.screenshot({ path: await screenshotPath('outbox-offline-en'), fullPage: true });
  });

  it('sends the waiting report once the connection returns, and only once', async () => {
    await s.context.setOffline(false);
    await eventually(() => outboxItems(s.page), { timeout: 30_000 }).toEqual([]);
    await eventually(() => s.page.locator('#flash').textContent()).toBe('1 waiting report was sent.');

    const rows = await reportsOf(s.observer.user.id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.clientId)).size).toBe(2);
    expect(rows[1]!.lat).toBeCloseTo(31.1);
    expect(rows[1]!.attachments).toHaveLength(1);

    await s.page.getByRole('link', { name: 'My reports' }).click();
    await eventually(() => s.page.locator('#mine-list li').count()).toBe(2);
    const listed = await s.page.locator('#mine-list li').evaluateAll((els) => els.map((e: any) => e.dataset.clientId));
    expect(listed.sort()).toEqual(rows.map((r) => r.clientId).sort());
    expect(await s.page.locator('#mine-list .status').allTextContents()).toEqual(['Received', 'Received']);
  });

  it('does not duplicate a report whose response was lost on the way back', async () => {
    // The server stores the report, but the phone never hears back (connection dropped mid-response).
    const sentClientIds: string[] = [];
    await s.context.route('**/api/reports', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const body = route.request().postDataBuffer()?.toString('latin1') ?? '';
      sentClientIds.push(/name="clientId"\r\n\r\n([0-9a-f-]{36})/.exec(body)?.[1] ?? '?');
      if (sentClientIds.length > 1) return route.fallback();
      await route.fetch();
      await route.abort('connectionreset');
    });
    const narrative = 'Checkpoint at the western gate of Sirte reopened to civilian traffic this morning.';
    await s.page.getByRole('link', { name: 'New report' }).click();
    await fillReport(s.page, { narrative, placeName: 'Sirte' });
    await s.page.getByRole('button', { name: 'Send report' }).click();
    // The app may already be retrying by the time this looks (its backoff starts at about a second).
    await eventually(() => sentClientIds.length > 0).toBe(true);
    await eventually(async () => (await reportsOf(s.observer.user.id)).length).toBe(3);

    // Whichever retries first ("Send now", the page's timer, or Background Sync in the service worker), the
    // retry carries the same clientId and the server answers with the report it already holds.
    // When the page and the service worker both sent at once, the worker's copy may have been answered already.
    const waiting = s.page.getByRole('link', { name: /Waiting to send/ });
    if (await waiting.isVisible()) {
      await waiting.click();
      await s.page
        .getByRole('button', { name: 'Send now' })
        .click()
        .catch(() => undefined); // gone if delivered meanwhile
    }
    await eventually(() => outboxItems(s.page)).toEqual([]);
    // A report leaves the outbox only on a 200/201; one row for it means the retry reused its clientId.
    // (Requests the service worker makes are not seen by the route, so sentClientIds may hold only one.)
    expect(new Set(sentClientIds).size).toBe(1);
    const rows = await reportsOf(s.observer.user.id);
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.narrative === narrative).map((r) => r.clientId)).toEqual([sentClientIds[0]]);
    await s.context.unroute('**/api/reports');
  });

  it('lets the service worker deliver through Background Sync after the app is closed', async () => {
    await s.page.getByRole('link', { name: 'New report' }).click();
    await s.context.setOffline(true);
    await fillReport(s.page, {
      narrative: 'Convoy of six trucks with mounted guns leaving Hun southbound.',
      placeName: 'Hun',
    });
    await s.page.getByRole('button', { name: 'Send report' }).click();
    await eventually(() => s.page.locator('#flash').textContent()).toContain('saved on this device');
    const [waiting] = await outboxItems(s.page);

    // The observer leaves the app: only the service worker is left to deliver.
    await s.page.goto('about:blank');
    await s.context.setOffline(false);
    const cdp = await s.context.newCDPSession(s.page);
    const registrations: Array<{ registrationId: string; scopeURL: string }> = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      registrations.push(...e.registrations);
    });
    await cdp.send('ServiceWorker.enable');
    const scope = `${s.server.url}/`;
    await eventually(() => registrations.some((r) => r.scopeURL === scope)).toBe(true);
    const reg = registrations.find((r) => r.scopeURL === scope)!;
    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: s.server.url,
      registrationId: reg.registrationId,
      tag: 'observer-outbox',
      lastChance: false,
    });

    await eventually(() => s.server.rt.db.report.count({ where: { clientId: waiting!.clientId } }), {
      timeout: 30_000,
    }).toBe(1);
    await openApp(s.page, s.server.url);
    expect(await outboxItems(s.page)).toEqual([]);
    expect(await reportsOf(s.observer.user.id)).toHaveLength(4);
  });
});
