// Browser-test helpers: the Debian Chromium through playwright-core (no downloaded browsers), and the steps
// the observer-app tests share (open the app, sign in through the UI, fill the form, read the outbox).
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestServerOptions, type TestUser } from '../../helpers/server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOT_DIR = path.join(root, 'test-artifacts/screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** A context shaped like a small Android phone (360 px wide), the observers' usual screen. */
export async function phoneContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 780 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    serviceWorkers: 'allow',
    ...options,
  });
}

export async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/** public/vendor is generated from node_modules (postinstall); make sure it exists before a browser asks for it. */
export function vendorPublic(): void {
  execFileSync(process.execPath, [path.join(root, 'scripts/vendor-public.mjs')], { stdio: 'ignore' });
}

export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url + '/');
  await page.waitForSelector('body[data-ready="true"]');
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'New report' }).waitFor();
}

/** Resolves once the service worker controls the page, so the shell is cached and reloads work offline. */
export async function serviceWorkerInControl(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const sw = (globalThis as any).navigator.serviceWorker;
    await sw.ready;
    if (!sw.controller)
      await new Promise((resolve) => sw.addEventListener('controllerchange', resolve, { once: true }));
  });
}

export interface Filing {
  narrative: string;
  placeName?: string;
  lat?: number;
  lon?: number;
  photo?: { name: string; buffer: Buffer };
  killed?: number;
}

export async function fillReport(page: Page, f: Filing): Promise<void> {
  await page.getByLabel('What did you observe?').fill(f.narrative);
  if (f.placeName) await page.getByLabel('Place name').fill(f.placeName);
  if (f.lat !== undefined) await page.getByLabel('Latitude').fill(String(f.lat));
  if (f.lon !== undefined) await page.getByLabel('Longitude').fill(String(f.lon));
  if (f.killed !== undefined) await page.getByLabel('Killed').fill(String(f.killed));
  if (f.photo)
    await page
      .getByLabel('Photos and documents')
      .setInputFiles({ name: f.photo.name, mimeType: 'image/jpeg', buffer: f.photo.buffer });
}

/** What the page's outbox (IndexedDB) holds right now. */
export async function outboxItems(page: Page): Promise<Array<{ clientId: string; state: string; files: unknown[] }>> {
  return page.evaluate(async () =>
    (await (globalThis as any).ObserverSync.list()).map((i: any) => ({
      clientId: i.clientId,
      state: i.state,
      files: i.files,
    })),
  );
}

export interface ObserverSession {
  server: TestServer;
  observer: TestUser;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh API and database, one observer account, and a phone-sized page (not yet signed in). */
export async function startObserverSession(
  options: BrowserContextOptions = {},
  serverOptions: TestServerOptions = {},
): Promise<ObserverSession> {
  vendorPublic();
  const server = await startTestServer(serverOptions);
  const observer = await server.makeUser('observer');
  const browser = await launchBrowser();
  const context = await phoneContext(browser, options);
  const page = await context.newPage();
  return {
    server,
    observer,
    browser,
    context,
    page,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** expect.poll with a timeout fit for a loaded 2-core machine running a browser, the API and workers at once. */
export function eventually<T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) {
  return expect.poll(fn, { timeout: 15_000, interval: 100, ...options });
}
