// ODK Collect setup from the observer app, in a real Chromium: the QR code with Collect's settings (ODK Central's
// format), in English and Arabic. Screenshots odk-setup-{en,ar}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSettings } from '../../src/openrosa/setup.ts';
import {
  eventually,
  openApp,
  screenshotPath,
  signIn,
  startObserverSession,
  type ObserverSession,
} from './helpers/browser.ts';

let s: ObserverSession;

beforeAll(async () => {
  s = await startObserverSession();
  await openApp(s.page, s.server.url);
  await signIn(s.page, s.observer.username, s.observer.password);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const payload = () => s.page.locator('#odk-qr').getAttribute('data-payload');

describe('ODK Collect setup page', () => {
  it('shows a QR code holding the server address with a key of its own, and keeps the key off the page text', async () => {
    await s.page.getByRole('link', { name: 'ODK Collect' }).click();
    await expect(s.page.getByRole('heading', { name: 'Set up ODK Collect' }).isVisible()).resolves.toBe(true);
    await s.page.getByRole('button', { name: 'Show my setup code' }).click();
    await eventually(payload).toBeTruthy();
    const settings = decodeSettings((await payload())!);
    expect(settings.general.server_url).toBe(`${s.server.url}/key/${settings.general.server_url.split('/key/')[1]}`);
    await expect(s.page.locator('#odk-qr svg').isVisible()).resolves.toBe(true);
    await expect(s.page.getByRole('img', { name: 'QR code to set up ODK Collect' }).count()).resolves.toBe(1);
    await expect(s.page.locator('#odk-url').textContent()).resolves.toBe(`${s.server.url}/key/…`);
    // The key in the code works as Collect will use it.
    const list = await fetch(`${settings.general.server_url}/formList`);
    expect(list.status).toBe(200);
    await s.page.screenshot({ path: await screenshotPath('odk-setup-en'), fullPage: true });
  });

  it('reads in Arabic, right to left', async () => {
    await s.page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await eventually(() => s.page.evaluate(() => (globalThis as any).document.documentElement.dir)).toBe('rtl');
    await expect(s.page.locator('#odk-title').textContent()).resolves.toBe('إعداد ODK Collect');
    await s.page.getByRole('button', { name: 'اعرض رمز الإعداد الخاص بي' }).click();
    await eventually(() => s.page.locator('#odk-message').textContent()).toMatch(/^امسح الرمز الآن/);
    await expect(s.page.getByRole('img', { name: 'رمز QR لإعداد ODK Collect' }).count()).resolves.toBe(1);
    await s.page.screenshot({ path: await screenshotPath('odk-setup-ar'), fullPage: true });
  });
});
