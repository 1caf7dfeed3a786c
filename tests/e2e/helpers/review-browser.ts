// Browser steps the commission-page tests share: a laptop-sized context, opening /review/ and signing in
// through its form. Chromium itself comes from the observer tests' helper (tests/e2e/helpers/browser.ts).
import { expect } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { TestUser } from '../../helpers/server.ts';

/** A 1366×900 laptop screen, the commission's usual one; downloads on so the digest PDF can be read. */
export const laptopContext = (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, locale: 'en-GB', ...options });

/** A 1024×768 tablet in landscape: the filters move above the list. */
export const tabletContext = (browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: 'en-GB', ...options });

export async function openReview(page: Page, url: string, hash = ''): Promise<void> {
  await page.goto(`${url}/review/${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
}

/** The password form only (English labels); what comes next depends on the account. */
export async function submitPassword(page: Page, u: Pick<TestUser, 'username' | 'password'>): Promise<void> {
  const form = page.locator('#login-form');
  await form.locator('#username').fill(u.username);
  await form.locator('#password').fill(u.password);
  await form.locator('button[type="submit"]').click();
  await page.locator('#view-login').waitFor({ state: 'hidden' });
}

/** Signs in through the page: the password, then for commission and admin the authenticator's code. */
export async function signInReview(
  page: Page,
  u: Pick<TestUser, 'username' | 'password' | 'authenticator'>,
): Promise<void> {
  await submitPassword(page, u);
  if (await page.locator('#view-second-factor').isVisible()) {
    if (!u.authenticator) throw new Error(`${u.username} has no authenticator`);
    await page.locator('#twofa-code').fill(await u.authenticator.code());
    await page.locator('#twofa-form button[type="submit"]').click();
    await page.locator('#view-second-factor').waitFor({ state: 'hidden' });
  }
}

/** A signed-in commission member's cookies, to open more pages without signing in again (each code is used once). */
export async function signedInState(
  browser: Browser,
  url: string,
  u: TestUser,
): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
  const context = await laptopContext(browser);
  const page = await context.newPage();
  await openReview(page, url);
  await signInReview(page, u);
  await page.locator('#nav').waitFor();
  const state = await context.storageState();
  await context.close();
  return state;
}

/** Incident ids of the queue rows once the latest load has finished (the table is aria-busy while loading). */
export async function queueRows(page: Page): Promise<string[]> {
  await page.locator('#queue-table[aria-busy="false"]').waitFor({ state: 'attached' });
  return page.locator('#queue-rows tr').evaluateAll((rows) => rows.map((r: any) => r.dataset.id as string));
}

// Script errors in the page fail the test that caused them, checked when its page is closed.
const pageErrors = new WeakMap<Page, Error[]>();
export function watch(page: Page): Page {
  const errors: Error[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (e) => errors.push(e));
  return page;
}
export async function done(page: Page): Promise<void> {
  expect(pageErrors.get(page)?.map((e) => e.message)).toEqual([]);
  await page.context().close();
}
