// The administration page (#admin) in English and Arabic: an admin, signed in with the password and the second
// factor, creates accounts, changes a role, disables and enables one, retries a dead-lettered job and revokes one of
// their tokens; refusals are shown in the API's words; every change is in the audit log API. An active observer's
// row offers an ODK Collect setup code, shown once with what to do and until when, its key the observer's and the
// act audited as the admin's. A commission member sees no link to the page and gets 403 from its API.
// Screenshots: test-artifacts/screenshots/review-{en,ar}-admin-*.
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { waitFor } from '../helpers/wait.ts';
import { redisConnection } from '../../src/queue/connection.ts';
import { JOBS, QUEUES } from '../../src/queue/names.ts';
import { createToken } from '../../src/tokens/index.ts';
import { decodeSettings } from '../../src/openrosa/setup.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { done, laptopContext, openReview, signedInState, watch } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;
let admin: TestUser;
let member: TestUser;
let adminState: Awaited<ReturnType<BrowserContext['storageState']>>;

beforeAll(async () => {
  vendorPublic();
  // No workers and no relay: the dead-lettered job below stays where the test puts it.
  s = await startTestServer({ relay: false });
  admin = await s.makeUser('admin');
  member = await s.makeUser('commission');
  browser = await launchBrowser();
  adminState = await signedInState(browser, s.url, admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function adminPage(lang: 'en' | 'ar'): Promise<Page> {
  const page = watch(await (await laptopContext(browser, { storageState: adminState })).newPage());
  await openReview(page, s.url);
  if (lang === 'ar') {
    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
  }
  await page.locator('#nav-admin').click();
  await page.locator('#view-admin').waitFor();
  await page.locator('#users-table[aria-busy="false"] tbody tr').first().waitFor();
  return page;
}

const auditRows = async (action: string, entityId: string) =>
  (await bearer(s.url, admin.token).get(`/api/audit?action=${action}&entityId=${entityId}`)).body.items as Array<{
    actorName: string;
    before: any;
    after: any;
  }>;

async function createThroughForm(page: Page, username: string, role: string, password = 'a-long-password-1') {
  await page.locator('#new-username').fill(username);
  await page.locator('#new-display-name').fill(`Name of ${username}`);
  await page.locator('#new-password').fill(password);
  await page.locator('#new-role').selectOption(role);
  await page.locator('#user-form button[type="submit"]').click();
}

const userRow = (page: Page, username: string) => page.locator(`#users-rows tr[data-username="${username}"]`);

/** A job of the reports queue that failed its only attempt, left in the failed set. */
async function deadLetter(reason: string): Promise<string> {
  const queue = s.rt.queues.get(QUEUES.reports)!;
  const job = await queue.add(
    JOBS.processReport,
    { reportId: '00000000-0000-4000-8000-000000000000' },
    { attempts: 1, removeOnFail: false },
  );
  const worker = new Worker(
    QUEUES.reports,
    async () => {
      throw new Error(reason);
    },
    { connection: redisConnection(s.config.REDIS_URL, s.rt.log, 'worker'), prefix: s.config.QUEUE_PREFIX },
  );
  worker.on('error', () => undefined);
  try {
    await waitFor(async () => ((await queue.getJob(job.id!))?.failedReason ? true : null), 'job failed');
  } finally {
    await worker.close();
  }
  return job.id!;
}

describe('administration page', () => {
  it('English: creates an account, changes its role, shows a refusal in words; the audit log has the rows', async () => {
    const lostPhone = await s.makeUser('commission');
    const page = await adminPage('en');
    await expect(userRow(page, admin.username).locator('td').nth(2).locator('select').isDisabled()).resolves.toBe(true);

    // A refusal of the body: the API's field and reason, in words.
    await createThroughForm(page, 'shorty', 'observer', 'short');
    await eventually(() => page.locator('#user-form-error').textContent()).toBe(
      'Not saved: Password: at least 8 characters.',
    );
    await expect(userRow(page, 'shorty').count()).resolves.toBe(0);

    const username = `amira_${Date.now().toString(36)}`;
    await createThroughForm(page, username, 'observer');
    await userRow(page, username).waitFor();
    await expect(page.locator('#flash').textContent()).resolves.toBe(`Account ${username} created.`);
    await expect(page.locator('#user-form-error').textContent()).resolves.toBe('');
    const row = userRow(page, username);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe(`Name of ${username}`);
    await expect(row.locator('.user-status').textContent()).resolves.toBe('Active');

    // The same username again: 409, said with the API's message.
    await createThroughForm(page, username, 'observer');
    await eventually(() => page.locator('#user-form-error').textContent()).toBe(
      `Refused: the username ${username} is taken.`,
    );

    await row.locator('select.user-role').selectOption('commission');
    await eventually(() => page.locator('#flash').textContent()).toBe(
      `Name of ${username} is now commission. Their sessions have ended.`,
    );
    await expect(userRow(page, username).locator('select.user-role').inputValue()).resolves.toBe('commission');
    await page.screenshot({ path: await screenshotPath('review-en-admin-users'), fullPage: true });

    const id = (await userRow(page, username).getAttribute('data-id'))!;

    // A member's lost phone: their second factor is reset (audited), and their next sign-in enrolls again.
    expect(await s.rt.db.secondFactor.count({ where: { userId: lostPhone.user.id } })).toBe(1);
    page.once('dialog', (d) => d.accept());
    await userRow(page, lostPhone.username).locator('button.user-reset-2fa').click();
    await eventually(() => page.locator('#flash').textContent()).toBe(
      `Two-step sign-in of ${lostPhone.username} reset: they set up a new authenticator at their next sign-in.`,
    );
    expect(await s.rt.db.secondFactor.count({ where: { userId: lostPhone.user.id } })).toBe(0);
    expect(await auditRows('second_factor_reset', lostPhone.user.id)).toMatchObject([{ actorName: admin.username }]);

    const stored = await s.rt.db.user.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({
      username,
      role: 'commission',
      displayName: `Name of ${username}`,
      disabledAt: null,
    });
    const created = await auditRows('user_created', id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actorName: admin.username, after: { username, role: 'observer' } });
    const updated = await auditRows('user_updated', id);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({
      actorName: admin.username,
      before: { role: 'observer' },
      after: { role: 'commission' },
    });
    await done(page);
  });

  it('English: retries a failed job with its reason and time shown, and revokes a token; both audited', async () => {
    const jobId = await deadLetter('candidate store unavailable');
    const page = await adminPage('en');
    const job = page.locator(`#jobs-rows tr[data-job-id="${jobId}"]`);
    await job.waitFor();
    await expect(job.locator('.job-reason').textContent()).resolves.toBe('candidate store unavailable');
    await expect(job.locator('time').textContent()).resolves.toMatch(/\d{4}.*(EET|GMT\+2)/);
    await expect(job.locator('td').nth(1).textContent()).resolves.toContain('Processing a report');
    await page.screenshot({ path: await screenshotPath('review-en-admin-jobs'), fullPage: true });
    await job.locator('button.job-retry').click();
    await eventually(() => page.locator('#flash').textContent()).toBe('The job is queued again.');
    await eventually(() => job.count()).toBe(0);
    expect(await s.rt.queues.get(QUEUES.reports)!.getJobState(jobId)).toBe('waiting');
    const retried = await auditRows('job_retried', `${QUEUES.reports}/${jobId}`);
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({
      actorName: admin.username,
      before: { failedReason: 'candidate store unavailable' },
    });

    // The admin's own token (made by the test set-up), revoked from the page after confirming.
    const token = page.locator('#tokens-rows tr:not(.revoked)').first();
    const tokenId = (await token.getAttribute('data-id'))!;
    page.once('dialog', (d) => d.accept());
    await token.locator('button.token-revoke').click();
    await eventually(() => page.locator(`#tokens-rows tr[data-id="${tokenId}"]`).getAttribute('class')).toBe('revoked');
    expect((await bearer(s.url, admin.token).get('/api/users')).status).toBe(401);
    const revoked = await s.rt.db.auditEvent.count({ where: { action: 'token_revoked', entityId: tokenId } });
    expect(revoked).toBe(1);
    // The later tests read the audit log with a new token.
    admin.token = (await createToken(s.rt.db, admin.user.id, 'test again')).token;
    await done(page);
  });

  it('Arabic: creates, disables and enables an account, retries a job; texts in Arabic; audited', async () => {
    const jobId = await deadLetter('انقطع الاتصال بقاعدة البيانات');
    const observer = await s.makeUser('observer');
    const page = await adminPage('ar');
    await expect(page.locator('#admin-title').textContent()).resolves.toBe('الإدارة');
    await expect(page.locator('#nav-admin').textContent()).resolves.toBe('الإدارة');

    await createThroughForm(page, 'x', 'observer', 'short');
    await eventually(() => page.locator('#user-form-error').textContent()).toBe(
      'لم يُحفظ: اسم المستخدم: من 2 إلى 64 حرفاً لاتينياً أو رقماً أو _ . @ -. كلمة المرور: 8 أحرف على الأقل.',
    );

    const username = `salem_${Date.now().toString(36)}`;
    await createThroughForm(page, username, 'commission');
    const row = userRow(page, username);
    await row.waitFor();
    await expect(page.locator('#flash').textContent()).resolves.toBe(`أُنشئ الحساب ${username}.`);
    await expect(row.locator('select.user-role option:checked').textContent()).resolves.toBe('اللجنة');
    await expect(row.locator('.user-status').textContent()).resolves.toBe('نشط');
    await createThroughForm(page, username, 'observer');
    await eventually(() => page.locator('#user-form-error').textContent()).toBe(
      `مرفوض: اسم المستخدم ${username} مستخدم من قبل.`,
    );

    await row.locator('button.user-disable').click();
    await eventually(() => userRow(page, username).locator('.user-status').textContent()).toBe('معطّل');
    await expect(page.locator('#flash').textContent()).resolves.toContain('عُطّل حساب');
    const id = (await userRow(page, username).getAttribute('data-id'))!;
    expect((await s.rt.db.user.findUniqueOrThrow({ where: { id } })).disabledAt).not.toBeNull();

    const job = page.locator(`#jobs-rows tr[data-job-id="${jobId}"]`);
    await job.waitFor();
    await expect(job.locator('td').nth(1).textContent()).resolves.toContain('معالجة بلاغ');
    await expect(job.locator('.job-reason').textContent()).resolves.toBe('انقطع الاتصال بقاعدة البيانات');
    await expect(job.locator('button.job-retry').textContent()).resolves.toBe('إعادة المحاولة');
    await page.screenshot({ path: await screenshotPath('review-ar-admin'), fullPage: true });

    await userRow(page, username).locator('button.user-enable').click();
    await eventually(() => userRow(page, username).locator('.user-status').textContent()).toBe('نشط');
    expect((await s.rt.db.user.findUniqueOrThrow({ where: { id } })).disabledAt).toBeNull();
    await job.locator('button.job-retry').click();
    await eventually(() => page.locator('#flash').textContent()).toBe('أُعيدت المهمة إلى قائمة الانتظار.');

    // Another account's tokens: shown under its name, one revoked, and that token stops at once.
    expect((await bearer(s.url, observer.token).get('/api/reports')).status).toBe(200);
    await userRow(page, observer.username).locator('button.user-tokens').click();
    await eventually(() => page.locator('#tokens-title').textContent()).toBe(`رموز API للحساب ${observer.username}`);
    const token = page.locator('#tokens-rows tr').first();
    await expect(token.locator('td').first().textContent()).resolves.toBe('test');
    const tokenId = (await token.getAttribute('data-id'))!;
    page.once('dialog', (d) => d.accept());
    await token.locator('button.token-revoke').click();
    await eventually(() => page.locator(`#tokens-rows tr[data-id="${tokenId}"]`).getAttribute('class')).toBe('revoked');
    await expect(page.locator(`#tokens-rows tr[data-id="${tokenId}"] td`).nth(3).textContent()).resolves.toMatch(
      /^أُلغي في /,
    );
    await expect(page.locator('#tokens-title').textContent()).resolves.toBe(`رموز API للحساب ${observer.username}`);
    await page.screenshot({ path: await screenshotPath('review-ar-admin-tokens'), fullPage: true });
    expect((await bearer(s.url, observer.token).get('/api/reports')).status).toBe(401);
    const revokedRows = await s.rt.db.auditEvent.findMany({ where: { action: 'token_revoked', entityId: tokenId } });
    expect(revokedRows).toMatchObject([{ actorName: admin.username, after: { ownerId: observer.user.id } }]);

    const body = (await page.locator('#view-admin').textContent())!;
    expect(body).not.toMatch(/Accounts|Failed jobs|Disable|Retry|Active|Reset|tokens|Revoke/);
    expect(await auditRows('user_created', id)).toHaveLength(1);
    const updated = await auditRows('user_updated', id);
    expect(updated.map((r) => r.after.disabledAt === null)).toEqual([true, false]);
    expect(await auditRows('job_retried', `${QUEUES.reports}/${jobId}`)).toHaveLength(1);
    await done(page);
  });

  for (const lang of ['en', 'ar'] as const) {
    it(`${lang}: a commission member sees no administration link, #admin shows the queue, and the API says 403`, async () => {
      const state = await signedInState(browser, s.url, member);
      const page = watch(await (await laptopContext(browser, { storageState: state })).newPage());
      await openReview(page, s.url, '#admin');
      if (lang === 'ar') {
        await page.getByRole('button', { name: 'Switch to Arabic' }).click();
        await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
      }
      await page.locator('#nav').waitFor();
      await expect(page.locator('#nav-admin').isHidden()).resolves.toBe(true);
      await expect(page.locator('#view-admin').isHidden()).resolves.toBe(true);
      await expect(page.locator('#view-queue').isVisible()).resolves.toBe(true);
      const statuses = await page.evaluate(async () =>
        Promise.all(['/api/users'].map(async (u) => (await fetch(u, { credentials: 'same-origin' })).status)),
      );
      expect(statuses).toEqual([403]);
      const api = bearer(s.url, member.token);
      expect((await api.get('/api/users')).status).toBe(403);
      expect(
        (await api.post('/api/users', { username: 'nope', password: 'a-long-password', role: 'admin' })).status,
      ).toBe(403);
      await page.screenshot({ path: await screenshotPath(`review-${lang}-admin-member-no-link`) });
      await done(page);
    });
  }
});

describe.each([
  {
    lang: 'en' as const,
    button: 'ODK Collect code',
    title: (name: string) => `ODK Collect setup for ${name}`,
    expiry: /^Scan it before .+ A code the phone has not used by then stops working/,
    qr: (name: string) => `QR code to set up ODK Collect for ${name}`,
    close: 'Done: hide the code',
  },
  {
    lang: 'ar' as const,
    button: 'رمز ODK Collect',
    title: (name: string) => `إعداد ODK Collect للحساب ${name}`,
    expiry: /^امسحه قبل .+ الرمز الذي لا يستعمله الهاتف قبل ذلك يتوقف عن العمل/,
    qr: (name: string) => `رمز QR لإعداد ODK Collect للحساب ${name}`,
    close: 'تم: أخفِ الرمز',
  },
])("$lang: an observer's ODK Collect setup code", ({ lang, button, title, expiry, qr, close }) => {
  it("shows an active observer's setup code once, with what to do and until when; audited", async () => {
    const observer = await s.makeUser('observer');
    const away = await s.makeUser('observer');
    expect((await bearer(s.url, admin.token).patch(`/api/users/${away.user.id}`, { disabled: true })).status).toBe(200);
    const page = await adminPage(lang);

    // Only the active observer's row offers it: not a disabled observer, not a commission member.
    await expect(userRow(page, away.username).locator('.user-odk').count()).resolves.toBe(0);
    await expect(userRow(page, member.username).locator('.user-odk').count()).resolves.toBe(0);
    const offer = userRow(page, observer.username).locator('.user-odk');
    await expect(offer.textContent()).resolves.toBe(button);

    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/users/${observer.user.id}/odk-setup`)),
      offer.click(),
    ]);
    expect(answer.status()).toBe(201);
    const setup = await answer.json();
    const panel = page.locator('#odk-setup');
    await panel.waitFor();
    await expect(page.locator('#odk-setup-title').textContent()).resolves.toBe(title(observer.username));
    await expect(page.locator('#odk-setup-expiry').textContent()).resolves.toMatch(expiry);
    await expect(page.getByRole('img', { name: qr(observer.username) }).count()).resolves.toBe(1);
    // The picture is the server's code for this answer: the same modules.
    const drawn = await page
      .locator('#odk-setup-qr svg path')
      .evaluateAll((ps) => ps.map((p: any) => p.getAttribute('d')));
    expect(drawn.length).toBeGreaterThan(0);
    for (const d of drawn) expect(setup.svg).toContain(`d="${d}"`);
    // What the phone will get: the observer's own key, which lists the forms.
    const settings = decodeSettings(setup.payload);
    expect(settings.project.name).toContain(observer.username);
    const token = await s.rt.db.apiToken.findUniqueOrThrow({ where: { id: setup.tokenId } });
    expect(token.userId).toBe(observer.user.id);
    expect((await fetch(`${settings.general.server_url}/formList`)).status).toBe(200);
    await page.screenshot({ path: await screenshotPath(`review-${lang}-admin-odk-setup`), fullPage: true });

    const audit = await bearer(s.url, admin.token).get(`/api/audit?action=token_created&entityId=${setup.tokenId}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actorName: admin.username,
      after: { purpose: 'odk_setup', ownerId: observer.user.id },
    });

    // Hidden, it is gone from the page: the next code is a new one.
    await page.getByRole('button', { name: close }).click();
    await expect(panel.isHidden()).resolves.toBe(true);
    await expect(page.locator('#odk-setup svg').count()).resolves.toBe(0);
    await done(page);
  });
});

describe.each([
  {
    lang: 'en' as const,
    button: 'New password',
    title: (name: string) => `New password for ${name}`,
    done: (name: string) => `${name} has a new password.`,
  },
  {
    lang: 'ar' as const,
    button: 'كلمة مرور جديدة',
    title: (name: string) => `كلمة المرور الجديدة للحساب ${name}`,
    done: (name: string) => `صار للحساب ${name} كلمة مرور جديدة.`,
  },
])('$lang: a forgotten password', ({ lang, button, title, done: doneText }) => {
  it('makes a new one, shown once, that works where the old one no longer does; audited without it', async () => {
    const observer = await s.makeUser('observer');
    const basic = (password: string) =>
      fetch(`${s.url}/formList`, {
        headers: { authorization: `Basic ${Buffer.from(`${observer.username}:${password}`).toString('base64')}` },
      });
    expect((await basic(observer.password)).status).toBe(200);
    const page = await adminPage(lang);
    page.once('dialog', (d) => d.accept());
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/users/${observer.user.id}/password`)),
      userRow(page, observer.username).getByRole('button', { name: button }).click(),
    ]);
    expect(answer.status()).toBe(200);
    await expect(page.locator('#password-reset-title').textContent()).resolves.toBe(title(observer.username));
    const shown = (await page.locator('#password-reset-value').textContent())!;
    expect(shown).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await eventually(() => page.locator('#flash').textContent()).toBe(doneText(observer.username));
    await page.screenshot({ path: await screenshotPath(`review-${lang}-admin-password`), fullPage: true });

    expect((await basic(shown)).status).toBe(200);
    expect((await basic(observer.password)).status).toBe(401);
    const rows = await auditRows('password_reset', observer.user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorName: admin.username, after: { chosenBy: 'server' } });
    expect(JSON.stringify(rows[0])).not.toContain(shown);
    await page.locator('#password-reset-close').click();
    await expect(page.locator('#password-reset').isHidden()).resolves.toBe(true);
    await done(page);
  });
});
