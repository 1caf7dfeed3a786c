// Browser steps the commission-page tests share: a laptop-sized context, opening /review/ and signing in
// through its form. Chromium itself comes from the observer tests' helper (tests/e2e/helpers/browser.ts).
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** A 1366×900 laptop screen, the commission's usual one; downloads on so the digest PDF can be read. */
export const laptopContext = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true, locale: 'en-GB' });

/** A 1024×768 tablet in landscape: the filters move above the list. */
export const tabletContext = (browser: Browser): Promise<BrowserContext> =>
  browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: 'en-GB' });

export async function openReview(page: Page, url: string, hash = ''): Promise<void> {
  await page.goto(`${url}/review/${hash}`);
  await page.waitForSelector('body[data-ready="true"]');
}

export async function signInReview(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('#login-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#view-login').waitFor({ state: 'hidden' });
}

/** Incident ids of the queue rows once the latest load has finished (the table is aria-busy while loading). */
export async function queueRows(page: Page): Promise<string[]> {
  await page.locator('#queue-table[aria-busy="false"]').waitFor({ state: 'attached' });
  return page.locator('#queue-rows tr').evaluateAll((rows) => rows.map((r: any) => r.dataset.id as string));
}
