// Two-step sign-in on the commission pages, in Debian Chromium against the real server: a new member sets up an
// authenticator (QR code and key, a code, recovery codes shown once), an enrolled member gives a code, and the
// account page lists the browser sessions and signs out the others or everywhere; in English and in Arabic
// (right-to-left). Screenshots: test-artifacts/screenshots/review-{enroll,recovery-codes,second-factor,account}-{en,ar}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { Authenticator } from '../helpers/totp.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { done, laptopContext, openReview, signInReview, submitPassword, watch } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ relay: false });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function newPage(): Promise<Page> {
  const context = await laptopContext(browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
  return watch(await context.newPage());
}

/** The member signed in on two browsers (two contexts), each showing the queue. */
async function signedInTwice(member: TestUser): Promise<[Page, Page]> {
  const pages = [await newPage(), await newPage()] as [Page, Page];
  for (const page of pages) {
    await openReview(page, s.url);
    await signInReview(page, member);
    await page.locator('#queue-table').waitFor();
  }
  return pages;
}

async function toArabic(page: Page): Promise<void> {
  await page.locator('#lang').click();
  await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
}

/** Through the enrollment screen: returns the member's new authenticator and the recovery codes shown. */
async function enroll(
  page: Page,
  member: TestUser,
  lang: 'en' | 'ar',
): Promise<{ phone: Authenticator; codes: string[] }> {
  await submitPassword(page, member);
  const view = page.locator('#view-enroll');
  await view.waitFor();
  await page.locator('#enroll-qr').waitFor();
  // The QR code is a real image the phone can scan: it decodes with a size.
  expect(
    await page.locator('#enroll-qr').evaluate((img: any) => img.decode().then(() => img.naturalWidth as number)),
  ).toBeGreaterThan(0);
  const secret = (await page.locator('#enroll-secret').textContent())!.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(await page.locator('#nav').isHidden()).toBe(true);
  await page.screenshot({ path: await screenshotPath(`review-enroll-${lang}`), fullPage: true });
  const phone = new Authenticator(secret, s.rt.clock);

  await page.locator('#enroll-code').fill(phone.codeAt(4));
  await page.locator('#enroll-form button[type="submit"]').click();
  await page.locator('#enroll-error', { hasText: 'That code does not match' }).waitFor();

  await page.locator('#enroll-code').fill(await phone.code());
  await page.locator('#enroll-form button[type="submit"]').click();
  await page.locator('#view-recovery').waitFor();
  const codes = await page.locator('#recovery-codes li').allTextContents();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  await page.screenshot({ path: await screenshotPath(`review-recovery-codes-${lang}`), fullPage: true });
  return { phone, codes };
}

describe('setting up the second factor', () => {
  it('a new commission member is led through enrollment before anything else, and keeps the recovery codes', async () => {
    const member = await s.makeUser('commission', undefined, { enrolled: false });
    const page = await newPage();
    await openReview(page, s.url);
    const { codes } = await enroll(page, member, 'en');
    await expect(page.getByRole('heading', { level: 1, name: 'Your recovery codes' }).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Copy the codes' }).click();
    // The clipboard answers asynchronously: the button's text changes once it has.
    await expect.poll(() => page.locator('#recovery-copy').textContent()).toMatch(/copied|Copying is not allowed/);
    if ((await page.locator('#recovery-copy').textContent()) === 'Recovery codes copied.') {
      expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(codes.join('\n'));
    }
    await page.getByRole('button', { name: 'I have saved them. Continue' }).click();
    await page.locator('#queue-table').waitFor();
    expect(await page.locator('#view-recovery').isHidden()).toBe(true);
    expect(await page.locator('#recovery-codes li').count()).toBe(0); // gone from the page
    expect(await s.rt.db.secondFactor.count({ where: { userId: member.user.id } })).toBe(1);
    await done(page);
  });

  it('in Arabic, right to left', async () => {
    const member = await s.makeUser('admin', undefined, { enrolled: false });
    const page = await newPage();
    await openReview(page, s.url);
    await toArabic(page);
    await submitPassword(page, member);
    await page.locator('#view-enroll').waitFor();
    await expect(page.locator('#enroll-title').textContent()).resolves.toBe('إعداد تسجيل الدخول بخطوتين');
    await page.locator('#enroll-qr').waitFor();
    const secret = (await page.locator('#enroll-secret').textContent())!.replace(/\s/g, '');
    // The key and the codes read left to right inside the right-to-left page.
    expect(await page.locator('#enroll-secret').getAttribute('dir')).toBe('ltr');
    await page.screenshot({ path: await screenshotPath('review-enroll-ar'), fullPage: true });
    const phone = new Authenticator(secret, s.rt.clock);
    await page.locator('#enroll-code').fill(await phone.code());
    await page.getByRole('button', { name: 'تأكيد' }).click();
    await page.locator('#view-recovery').waitFor();
    await expect(page.locator('#recovery-title').textContent()).resolves.toBe('رموز الاسترداد الخاصة بك');
    expect(await page.locator('#recovery-codes li').count()).toBe(10);
    await page.screenshot({ path: await screenshotPath('review-recovery-codes-ar'), fullPage: true });
    await page.getByRole('button', { name: 'حفظتها. متابعة' }).click();
    await page.locator('#queue-table').waitFor();
    await done(page);
  });
});

describe('signing in with the second factor', () => {
  it('asks for the code after the password; a wrong code is refused, the right one opens the queue', async () => {
    const member = await s.makeUser('commission');
    const page = await newPage();
    await openReview(page, s.url);
    await submitPassword(page, member);
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    expect(await page.locator('#nav').isHidden()).toBe(true);
    // Nothing else answers before the code: the page's own session can read no incident.
    expect(await page.evaluate(() => fetch('/api/incidents').then((r) => r.status))).toBe(401);
    await page.getByLabel('Code from the app, or a recovery code').fill(member.authenticator!.codeAt(5));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .locator('#twofa-error', { hasText: 'Wrong or already used code. Wait for the next code and try again.' })
      .waitFor();
    await page.getByLabel('Code from the app, or a recovery code').fill(await member.authenticator!.code());
    await page.screenshot({ path: await screenshotPath('review-second-factor-en'), fullPage: true });
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#queue-table').waitFor();
    expect(await page.evaluate(() => fetch('/api/incidents').then((r) => r.status))).toBe(200);
    await done(page);
  });

  it('a recovery code works in place of the app, in Arabic', async () => {
    const member = await s.makeUser('commission');
    const page = await newPage();
    await openReview(page, s.url);
    await toArabic(page);
    await submitPassword(page, member);
    await page.locator('#view-second-factor').waitFor();
    await expect(page.locator('#twofa-title').textContent()).resolves.toBe('تسجيل الدخول بخطوتين');
    await page.getByLabel('الرمز من التطبيق، أو رمز استرداد').fill(member.recoveryCodes![0]!);
    await page.screenshot({ path: await screenshotPath('review-second-factor-ar'), fullPage: true });
    await page.getByRole('button', { name: 'تحقّق' }).click();
    await page.locator('#queue-table').waitFor();
    await expect(page.locator('#queue-title').textContent()).resolves.toBe('قائمة الحوادث');
    await done(page);
  });
});

describe('the account page', () => {
  it('lists the sessions, signs out the others, then everywhere', async () => {
    const member = await s.makeUser('commission');
    const [here, there] = await signedInTwice(member);
    await here.getByRole('link', { name: 'Account' }).click();
    await here.locator('#sessions-rows tr').nth(1).waitFor();
    expect(await here.locator('#sessions-rows tr').count()).toBe(2);
    await expect(here.locator('#sessions-rows tr.current').textContent()).resolves.toContain('This browser');
    await expect(here.locator('#sessions-rows tr').first().textContent()).resolves.toMatch(/Chrome|Chromium/);
    await expect(here.locator('#account-twofa').textContent()).resolves.toMatch(
      /Two-step sign-in is on since .*; 10 recovery codes left\./,
    );
    await here.screenshot({ path: await screenshotPath('review-account-en'), fullPage: true });

    await here.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await here.locator('#flash', { hasText: '1 session signed out.' }).waitFor();
    await eventually(() => here.locator('#sessions-rows tr').count()).toBe(1);
    await there.reload();
    await there.locator('#view-login').waitFor();

    here.once('dialog', (d) => void d.accept());
    await here.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here.locator('#view-login').waitFor();
    expect(await here.locator('#nav').isHidden()).toBe(true);
    expect(await s.rt.db.session.count({ where: { userId: member.user.id } })).toBe(0);
    await done(here);
    await done(there);
  });

  it('in Arabic: signs out one session, then everywhere', async () => {
    const member = await s.makeUser('admin');
    const [here, there] = await signedInTwice(member);
    await toArabic(here);
    await here.getByRole('link', { name: 'الحساب' }).click();
    await here.locator('#sessions-rows tr').nth(1).waitFor();
    await expect(here.locator('#account-title').textContent()).resolves.toBe('الحساب');
    await expect(here.locator('#sessions-rows tr.current').textContent()).resolves.toContain('هذا المتصفح');
    expect(await here.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('rtl');
    await here.screenshot({ path: await screenshotPath('review-account-ar'), fullPage: true });

    await here.locator('#sessions-rows tr:not(.current) button.end-session').click();
    await here.locator('#flash', { hasText: 'أُنهيت جلسة واحدة.' }).waitFor();
    await there.reload();
    await there.locator('#view-login').waitFor();

    here.once('dialog', (d) => void d.accept());
    await here.getByRole('button', { name: 'تسجيل الخروج من كل مكان' }).click();
    await here.locator('#view-login').waitFor();
    expect(await s.rt.db.session.count({ where: { userId: member.user.id } })).toBe(0);
    await done(here);
    await done(there);
  });
});
