// The report being written survives a reload (the phone killing a background tab, a mistaken swipe): its typed
// fields are kept on the device until it is sent or discarded. English and Arabic; screenshots draft-{en,ar}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  openApp,
  screenshotPath,
  signIn,
  startObserverSession,
  type ObserverSession,
} from './helpers/browser.ts';

let s: ObserverSession;
const NARRATIVE = 'Two technicals moving east of Abu Grein at dawn.';

beforeAll(async () => {
  s = await startObserverSession({ timezoneId: 'Africa/Tripoli' });
  await openApp(s.page, s.server.url);
  await signIn(s.page, s.observer.username, s.observer.password);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const narrative = () => s.page.locator('#narrative');

describe('drafts kept on the device', () => {
  it('brings the typed fields back after a reload, and says so', async () => {
    await narrative().fill(NARRATIVE);
    await s.page.locator('#placeName').fill('Abu Grein');
    await s.page.locator('#injured').fill('2');
    await s.page.reload();
    await eventually(() => narrative().inputValue()).toBe(NARRATIVE);
    await expect(s.page.locator('#placeName').inputValue()).resolves.toBe('Abu Grein');
    await expect(s.page.locator('#injured').inputValue()).resolves.toBe('2');
    await expect(s.page.locator('#draft-note').textContent()).resolves.toMatch(/^Your unsent draft was kept/);
    await s.page.screenshot({ path: await screenshotPath('draft-en'), fullPage: true });

    await s.page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await eventually(() => s.page.locator('#draft-note span').textContent()).toBe(
      'احتُفظ بمسودتك غير المرسلة على هذا الجهاز. يجب اختيار الصور من جديد.',
    );
    await s.page.screenshot({ path: await screenshotPath('draft-ar'), fullPage: true });
    await s.page.getByRole('button', { name: 'التبديل إلى الإنجليزية' }).click();
  });

  it('forgets the draft once the report is sent', async () => {
    await s.page.locator('#submit').click();
    await eventually(async () => s.server.rt.db.report.count()).toBe(1);
    await eventually(() => narrative().inputValue()).toBe('');
    await s.page.reload();
    await narrative().waitFor();
    await expect(narrative().inputValue()).resolves.toBe('');
    await expect(s.page.locator('#draft-note').isHidden()).resolves.toBe(true);
  });

  it('discards a draft on request', async () => {
    await narrative().fill('A draft I do not want.');
    await s.page.reload();
    await eventually(() => narrative().inputValue()).toBe('A draft I do not want.');
    await s.page.getByRole('button', { name: 'Discard draft' }).click();
    await expect(narrative().inputValue()).resolves.toBe('');
    await s.page.reload();
    await narrative().waitFor();
    await expect(narrative().inputValue()).resolves.toBe('');
  });
});
