// One commission-page test file's world: a server with workers, the seeded incidents of FIXTURE, Chromium, and a
// chair already signed in (password and second factor) whose cookies open more pages.
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { launchBrowser, vendorPublic } from './browser.ts';
import { laptopContext, openReview, signedInState, watch } from './review-browser.ts';
import { seedIncidents } from './review-seed.ts';
import { FIXTURE } from './review-fixtures.ts';

export interface ReviewSession {
  s: TestServer;
  browser: Browser;
  chair: TestUser;
  member: TestUser;
  observer: TestUser;
  /** Incident ids in FIXTURE order: Sirte, Misrata, Ubari. */
  incidents: [string, string, string];
  /** A page of /review/ (at `hash`) as the chair, in English or switched to Arabic. */
  page(lang: 'en' | 'ar', hash?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startReviewSession(): Promise<ReviewSession> {
  vendorPublic();
  const s = await startTestServer({ workers: true });
  const chair = await s.makeUser('commission');
  const member = await s.makeUser('commission');
  const observer = await s.makeUser('observer');
  const incidents = (await seedIncidents(s, observer, FIXTURE)) as [string, string, string];
  const browser = await launchBrowser();
  const state = await signedInState(browser, s.url, chair);
  return {
    s,
    browser,
    chair,
    member,
    observer,
    incidents,
    async page(lang, hash = '') {
      const page = watch(await (await laptopContext(browser, { storageState: state })).newPage());
      await openReview(page, s.url, hash);
      if (lang === 'ar') {
        await page.getByRole('button', { name: 'Switch to Arabic' }).click();
        await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
      }
      return page;
    },
    async close() {
      await browser.close();
      await s.close();
    },
  };
}
