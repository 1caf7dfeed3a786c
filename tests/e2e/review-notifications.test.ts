// Notifications from the server's inbox, in English and Arabic: a member who had no page open while another member
// assigned an incident to them finds the notice in the header's bell on their next load, unread, linking to the
// incident; opening it marks it read on the server. An admin sets a member's email address, language and choice of
// email notices in the accounts table. Screenshots: test-artifacts/screenshots/review-{en,ar}-notifications-offline.png,
// review-{en,ar}-notifications-admin.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer, TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { eventually, screenshotPath } from './helpers/browser.ts';
import { done, laptopContext, openReview, signedInState, watch } from './helpers/review-browser.ts';
import { startReviewSession, type ReviewSession } from './helpers/review-session.ts';

let session: ReviewSession;
let s: TestServer;
let chair: TestUser;
let member: TestUser;

beforeAll(async () => {
  session = await startReviewSession();
  ({ s, chair, member } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

describe.each([
  {
    lang: 'en' as const,
    which: 0,
    dir: 'ltr',
    count: /^1$/,
    label: 'Notifications: 1 unread',
    text: (id: string) => `Incident \u2066#${id.slice(0, 8)}\u2069 was assigned to you`,
  },
  {
    lang: 'ar' as const,
    which: 1,
    dir: 'rtl',
    count: /^[1١]$/,
    label: /^الإشعارات: /,
    text: (id: string) => `أُسندت إليك الحادثة \u2066#${id.slice(0, 8)}\u2069`,
  },
])('$lang', ({ lang, which, dir, count, label, text }) => {
  it('a member who was away finds the assignment in the bell on the next load, and reading it is kept on the server', async () => {
    const incidentId = session.incidents[which];
    // No page of the chair is open: nothing in a browser can have seen this happen.
    const assigned = await bearer(s.url, member.token).patch(`/api/incidents/${incidentId}`, {
      assigneeId: chair.user.id,
    });
    expect(assigned.status).toBe(200);

    const page = await session.page(lang, '#queue');
    await expect(page.evaluate(() => (globalThis as any).document.documentElement.dir)).resolves.toBe(dir);
    await eventually(() => page.locator('#notif-count').textContent()).toMatch(count);
    const aria = await page.locator('#notif-button').getAttribute('aria-label');
    if (typeof label === 'string') expect(aria).toBe(label);
    else expect(aria).toMatch(label);

    await page.locator('#notif-button').click();
    const item = page.locator(`#notif-list li.notif[data-incident="${incidentId}"][data-kind="assigned"]`);
    await expect(item.getAttribute('class')).resolves.toBe('notif unread');
    await expect(item.locator('.notif-text').textContent()).resolves.toBe(text(incidentId));
    await expect(item.locator('a').getAttribute('href')).resolves.toBe(`#incident/${incidentId}`);
    await page.screenshot({ path: await screenshotPath(`review-${lang}-notifications-offline`) });

    await item.locator('a').click();
    await page.waitForURL(new RegExp(`#incident/${incidentId}$`));
    await eventually(() => page.locator('#notif-count').isHidden()).toBe(true);
    // Read on the server too (the page shows it read at once and tells the server meanwhile).
    await eventually(async () => (await bearer(s.url, chair.token).get('/api/notifications')).body.unread).toBe(0);
    const inbox = await bearer(s.url, chair.token).get('/api/notifications');
    expect(inbox.body.items.find((n: any) => n.incidentId === incidentId && n.kind === 'assigned')).toMatchObject({
      read: true,
    });
    await done(page);
  });
});

describe.each([
  {
    lang: 'en' as const,
    email: 'chair@monitoring.test',
    language: 'ar',
    field: 'Email address:',
    saved: (n: string) => `Email notices of ${n} saved.`,
  },
  {
    lang: 'ar' as const,
    email: 'chair.ar@monitoring.test',
    language: '',
    field: 'عنوان البريد الإلكتروني:',
    saved: (n: string) => `حُفظت إشعارات البريد الإلكتروني لـ ${n}.`,
  },
])('$lang: the accounts table', ({ lang, email, language, field, saved }) => {
  it('lets an admin set where and in which language a member’s notices are emailed, audited', async () => {
    const admin = await s.makeUser('admin');
    const state = await signedInState(session.browser, s.url, admin);
    const page = watch(await (await laptopContext(session.browser, { storageState: state })).newPage());
    await openReview(page, s.url, '#admin');
    if (lang === 'ar') {
      await page.getByRole('button', { name: 'Switch to Arabic' }).click();
      await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    }
    const row = page.locator(`#users-rows tr[data-id="${chair.user.id}"]`);
    await row.waitFor();
    // A wrong address is refused in the page's words, and nothing is saved.
    await row.locator('input.user-email').fill('not an address');
    await row.locator('button.user-notices-save').click();
    await eventually(() => page.locator('#flash').getAttribute('class')).toMatch(/flash-error/);
    await expect(page.locator('#flash').textContent()).resolves.toContain(field);
    expect((await s.rt.db.user.findUniqueOrThrow({ where: { id: chair.user.id } })).email).not.toBe('not an address');

    await row.locator('input.user-email').fill(email);
    await row.locator('select.user-language').selectOption(language);
    await row.locator('input.user-email-on').setChecked(lang === 'en');
    await row.locator('button.user-notices-save').click();
    await eventually(() => page.locator('#flash').textContent()).toBe(saved(chair.username));
    const stored = await s.rt.db.user.findUniqueOrThrow({ where: { id: chair.user.id } });
    expect(stored).toMatchObject({ email, language: language || null, emailNotifications: lang === 'en' });
    const audit = await s.rt.db.auditEvent.findFirstOrThrow({
      where: { action: 'user_updated', entityId: chair.user.id, actorId: admin.user.id },
      orderBy: { seq: 'desc' },
    });
    expect(audit.after).toMatchObject({ email });
    // Drawn again from the server: the row shows what was saved.
    await eventually(() => row.locator('input.user-email').inputValue()).toBe(email);
    await page.screenshot({ path: await screenshotPath(`review-${lang}-notifications-admin`) });
    await done(page);
  });
});

describe.each([
  {
    lang: 'en' as const,
    shown: 'Notices are emailed to \u2066self.en@monitoring.test\u2069 when the server sends email.',
    saved: 'Your email notices are saved.',
    language: 'en',
  },
  {
    lang: 'ar' as const,
    shown: 'تُرسل الإشعارات إلى \u2066self.ar@monitoring.test\u2069 حين يرسل الخادم البريد الإلكتروني.',
    saved: 'حُفظت إعدادات إشعارات البريد الإلكتروني.',
    language: 'ar',
  },
])('$lang: the account page', ({ lang, shown, saved, language }) => {
  it('lets a member turn their email notices off and pick their language', async () => {
    const admin = await s.makeUser('admin');
    const email = `self.${lang}@monitoring.test`;
    await bearer(s.url, admin.token).patch(`/api/users/${chair.user.id}`, { email, emailNotifications: true });
    const page = await session.page(lang, '#account');
    await eventually(() => page.locator('#notice-email').textContent()).toBe(shown);
    await expect(page.locator('#notice-email-on').isChecked()).resolves.toBe(true);
    await page.locator('#notice-email-on').setChecked(false);
    await page.locator('#notice-language').selectOption(language);
    await page.locator('#notice-settings-save').click();
    await eventually(() => page.locator('#flash').textContent()).toBe(saved);
    const stored = await bearer(s.url, chair.token).get('/api/notifications/settings');
    expect(stored.body).toEqual({ email, emailNotifications: false, language });
    await page.screenshot({ path: await screenshotPath(`review-${lang}-notifications-account`) });
    await done(page);
  });
});
