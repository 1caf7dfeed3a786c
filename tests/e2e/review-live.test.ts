// Live queue updates and header notifications, in English and Arabic: the queue page, left open, shows an incident
// the pipeline has just opened (no reload: a marker set in the page survives) with its "updated" notice; an
// assignment made by another member through the API brings a notification to the assignee's header, and a severe
// incident one too; read/unread is kept on the server (the English run's notices are read when the Arabic one starts,
// and stay listed below the new ones). Screenshots: test-artifacts/screenshots/review-{en,ar}-live-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestServer, TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { makeReport } from '../helpers/factories.ts';
import { waitFor } from '../helpers/wait.ts';
import { eventually, screenshotPath } from './helpers/browser.ts';
import { done, openReview, queueRows, watch } from './helpers/review-browser.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { startReviewSession, type ReviewSession } from './helpers/review-session.ts';

let session: ReviewSession;
let s: TestServer;
let chair: TestUser;
let member: TestUser;
let observer: TestUser;

beforeAll(async () => {
  session = await startReviewSession();
  ({ s, chair, member, observer } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** A shelling with casualties far from the seeded incidents and on its own day: the pipeline opens a new, severe incident. */
const severeReport = (lang: 'en' | 'ar', day: string) =>
  makeReport({
    observedAt: `2020-12-${day}T06:00:00+02:00`,
    ...(lang === 'en'
      ? { lat: 30.41, lon: 19.57, placeName: 'Brega' }
      : { lat: 32.75, lon: 12.73, placeName: 'الزاوية' }),
    partyAlleged: 'LAAF',
    casualties: { killed: 3 },
    narrative:
      lang === 'en'
        ? 'Artillery shelling hit positions east of Brega at dawn; approx. 10 rounds impacted, 3 civilians killed.'
        : 'قصف مدفعي استهدف مواقع شرق الزاوية فجر اليوم، سقوط نحو 10 قذائف ومقتل 3 مدنيين.',
  });

async function livePage(lang: 'en' | 'ar'): Promise<Page> {
  const page = await session.page(lang, '#queue');
  await queueRows(page);
  await page.locator('#live-status[data-state="live"]').waitFor();
  // Set once: a reload would lose it.
  await page.evaluate(() => ((globalThis as any).__notReloaded = true));
  return page;
}

const notReloaded = (page: Page) => page.evaluate(() => (globalThis as any).__notReloaded === true);

/** Files the report as the observer and waits until the workers have put it in an incident; that incident's id. */
async function fileAndWaitForIncident(report: Record<string, unknown>): Promise<string> {
  const filed = await bearer(s.url, observer.token).post('/api/reports', report);
  expect(filed.status).toBe(201);
  const incidentId = await waitFor(
    async () => (await s.rt.db.report.findUnique({ where: { id: filed.body.id } }))?.incidentId,
    'the report in an incident',
  );
  const incident = await s.rt.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  // The premise of the severe notification: the pipeline rated it severe.
  expect(incident.severity).toBeGreaterThanOrEqual(4);
  return incidentId;
}

describe.each([
  {
    lang: 'en' as const,
    day: '01',
    status: 'Live: the queue updates itself',
    updated: /^Queue updated /,
    assigned: 'was assigned to you',
    severe: /^Severe incident \u2066#[0-9a-f]{8}\u2069 \(severity [45] of 5\)$/,
    unread: 'Notifications: 2 unread',
  },
  {
    lang: 'ar' as const,
    day: '09',
    status: 'مباشر: تتحدّث القائمة تلقائيًا',
    updated: /^حُدّثت القائمة /,
    assigned: 'أُسندت إليك الحادثة',
    severe: /^حادثة خطيرة \u2066#[0-9a-f]{8}\u2069 \(الخطورة [٤٥45] من 5\)$/,
    unread: 'الإشعارات: إشعاران غير مقروءين',
  },
])('$lang', ({ lang, day, status, updated, assigned, severe, unread }) => {
  it('the open queue shows a new incident without a reload, then an assignment and a severe incident as notifications', async () => {
    const page = await livePage(lang);
    await expect(page.locator('#live-status').textContent()).resolves.toBe(status);
    await expect(page.locator('#notif-count').isHidden()).resolves.toBe(true);
    const before = await queueRows(page);

    const incidentId = await fileAndWaitForIncident(severeReport(lang, day));
    expect(before).not.toContain(incidentId);
    await page.locator(`#queue-rows tr[data-id="${incidentId}"]`).waitFor();
    await expect(page.locator('#queue-updated').textContent()).resolves.toMatch(updated);
    expect(await notReloaded(page)).toBe(true);
    await page.screenshot({ path: await screenshotPath(`review-${lang}-live-queue-updated`) });

    // Another member assigns the new incident to the chair, through the API, from elsewhere.
    const assignment = await bearer(s.url, member.token).patch(`/api/incidents/${incidentId}`, {
      assigneeId: chair.user.id,
    });
    expect(assignment.status).toBe(200);
    const row = page.locator(`#queue-rows tr[data-id="${incidentId}"]`);
    await eventually(() => row.locator('td').last().textContent()).toBe(chair.username);
    await eventually(() => page.locator('#notif-button').getAttribute('aria-label')).toBe(unread);
    expect(await notReloaded(page)).toBe(true);

    await page.locator('#notif-button').click();
    const items = page.locator('#notif-list li.notif');
    await expect(page.locator('#notif-list li.notif.unread').count()).resolves.toBe(2);
    // Newest first: the assignment, then the severe incident the pipeline opened.
    await expect(items.nth(0).locator('.notif-text').textContent()).resolves.toContain(assigned);
    await expect(items.nth(0).locator('.notif-text').textContent()).resolves.toContain(`#${incidentId.slice(0, 8)}`);
    await expect(items.nth(1).locator('.notif-text').textContent()).resolves.toMatch(severe);
    await page.screenshot({ path: await screenshotPath(`review-${lang}-live-notifications`) });

    // Opening one marks it read and goes to the incident; the count drops to the other one.
    await items.nth(0).locator('a').click();
    await page.waitForURL(new RegExp(`#incident/${incidentId}$`));
    await eventually(() => page.locator('#notif-count').textContent()).toMatch(/^[1١]$/);
    await page.locator('#notif-button').click();
    await eventually(() => items.nth(0).getAttribute('class')).toMatch(/\bread\b/);
    await eventually(() => page.locator('#notif-list li.notif.unread').count()).toBe(1);
    await page.locator('#notif-mark-all').click();
    await eventually(() => page.locator('#notif-count').isHidden()).toBe(true);
    // Kept on the server: a reload shows them, read.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#notif-button').click();
    await eventually(() => page.locator('#notif-list li.notif.read').count()).toBeGreaterThanOrEqual(2);
    await expect(page.locator('#notif-list li.notif.unread').count()).resolves.toBe(0);
    await expect(items.nth(0).locator('.notif-text').textContent()).resolves.toContain(assigned);
    await expect(page.locator('#notif-count').isHidden()).resolves.toBe(true);
    await done(page);
  });
});

describe('a dropped stream', () => {
  it('reconnects by itself and reloads the queue with what changed meanwhile, without a page reload', async () => {
    // The page reaches the server through a proxy the test can cut: the connection drops as on a field link.
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: s.api.port });
    const opener = await session.page('en');
    const page = watch(await opener.context().newPage());
    try {
      await openReview(page, `http://127.0.0.1:${proxy.port}`, '#queue');
      await page.locator('#live-status[data-state="live"]').waitFor();
      await page.evaluate(() => ((globalThis as any).__notReloaded = true));
      const ubari = session.incidents[2];
      expect(await queueRows(page)).toContain(ubari);

      proxy.cut();
      await eventually(() => page.locator('#live-status').textContent()).toBe('Connection lost: reconnecting…');
      // Changed while the page cannot hear: no event reaches it, and none is replayed later.
      const moved = await bearer(s.url, member.token).patch(`/api/incidents/${ubari}`, { state: 'under_review' });
      expect(moved.status).toBe(200);
      await page.screenshot({ path: await screenshotPath('review-en-live-reconnecting') });

      proxy.restore();
      await eventually(() => page.locator('#live-status').getAttribute('data-state'), { timeout: 40_000 }).toBe('live');
      // Back on line, the queue reloads itself: the incident has left the "New" tab.
      await eventually(() => queueRows(page)).not.toContain(ubari);
      await expect(page.locator('#queue-updated').textContent()).resolves.toMatch(/^Queue updated /);
      expect(await notReloaded(page)).toBe(true);
      expect(proxy.forwarded).toBeGreaterThan(1);
    } finally {
      await proxy.close();
    }
    await done(page);
    await done(opener);
  }, 90_000);
});
