// The reports table (#reports) and saved filters, in English and Arabic: every report listed newest observed first and
// paged ("More reports"); filters in the address (bookmarkable), an Arabic place name finding a report typed in Latin
// script through the gazetteer, flagged or not (from the form, the address and a saved filter); a filter of the table
// and one of the queue saved, applied after a reload, renamed and deleted; observers named for an admin only, a
// commission member seeing their pseudonyms. Screenshots: test-artifacts/screenshots/review-{en,ar}-reports*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { insertIncidentWithReports, reportRow } from '../helpers/factories.ts';
import { eventually, launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { done, laptopContext, openReview, queueRows, signedInState, watch } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;
let chair: TestUser;
let admin: TestUser;
let amina: TestUser;
let omar: TestUser;
let chairState: Awaited<ReturnType<BrowserContext['storageState']>>;
let adminState: Awaited<ReturnType<BrowserContext['storageState']>>;
const ROUTINE = 55;
let incidentId: string;
/** Typed "Sirte" in Latin script, a phone clock ahead, in an incident: the newest observed. */
let sirteLatin: string;
/** Typed "سرت", in Arabic, by SMS. */
let sirteArabic: string;

const flag = { code: 'clock_ahead', field: 'observedAt', reported: '2031-01-01T08:00:00Z', inferred: null };

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ relay: false });
  chair = await s.makeUser('commission');
  admin = await s.makeUser('admin');
  amina = await s.makeUser('observer', 'amina');
  omar = await s.makeUser('observer', 'omar');
  // Routine reports from Misrata, observed hour by hour in early November: more than a page of them.
  await s.rt.db.report.createMany({
    data: Array.from({ length: ROUTINE }, (_, i) =>
      reportRow(amina.user.id, {
        placeName: 'Misrata',
        resolvedPlace: 'Misrata',
        source: 'web',
        observedAt: new Date(Date.UTC(2020, 10, 1, i)),
        narrative: `Routine patrol ${i} seen near the coast road.`,
      }),
    ),
  });
  const incident = await insertIncidentWithReports(
    s.rt.db,
    omar.user.id,
    [
      {
        placeName: 'Sirte',
        resolvedPlace: 'Sirte',
        source: 'openrosa',
        flags: [flag],
        observedAt: new Date('2020-11-20T06:00:00Z'),
      },
    ],
    { placeName: 'Sirte', stance: 'violation' },
  );
  incidentId = incident.id;
  sirteLatin = incident.reportIds[0]!;
  const arabic = reportRow(omar.user.id, {
    placeName: 'سرت',
    resolvedPlace: null,
    language: 'ar',
    source: 'sms',
    narrative: 'قصف مدفعي شرق سرت فجر اليوم',
    stance: 'violation',
    observedAt: new Date('2020-11-19T04:00:00Z'),
  });
  await s.rt.db.report.create({ data: arabic });
  sirteArabic = arabic.id!;
  browser = await launchBrowser();
  chairState = await signedInState(browser, s.url, chair);
  adminState = await signedInState(browser, s.url, admin);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function openPage(lang: 'en' | 'ar', hash: string, storageState = chairState): Promise<Page> {
  const page = watch(await (await laptopContext(browser, { storageState })).newPage());
  page.on('dialog', (d) => d.accept());
  await openReview(page, s.url, hash);
  if (lang === 'ar') {
    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
  }
  return page;
}

/** Report ids of the table once the latest load has finished. */
async function reportRows(page: Page): Promise<string[]> {
  await page.locator('#reports-table[aria-busy="false"]').waitFor({ state: 'attached' });
  return page.locator('#reports-rows tr').evaluateAll((rows) => rows.map((r: any) => r.dataset.id as string));
}
const form = (page: Page) => page.locator('#reports-form');
const rowOf = (page: Page, id: string) => page.locator(`#reports-rows tr[data-id="${id}"]`);
/** What a commission member sees of an observer: the custody packages' pseudonym, never the username. */
const pseudonymOf = (u: TestUser) => s.rt.custodySigner.pseudonym(u.user.id);
const hashParams = (page: Page) => new URLSearchParams(new URL(page.url()).hash.split('?')[1] ?? '');
const savedNames = (page: Page, section: string) =>
  page.locator(`#${section} .saved-list .saved-apply`).evaluateAll((els) => els.map((e: any) => e.textContent));
const savedOfChair = async (view: string) =>
  (await bearer(s.url, chair.token).get(`/api/saved-filters?view=${view}`)).body.items as Array<{
    name: string;
    query: Record<string, string>;
  }>;

/** The saved-filter buttons' words in each language. */
const WORDS = {
  en: {
    rename: 'Rename the saved filter ',
    newName: 'New name',
    saveName: 'Save name',
    del: 'Delete the saved filter ',
  },
  ar: {
    rename: 'إعادة تسمية عوامل التصفية المحفوظة ',
    newName: 'الاسم الجديد',
    saveName: 'حفظ الاسم',
    del: 'حذف عوامل التصفية المحفوظة ',
  },
};
/** Renames a saved filter through its buttons, checks the new name is listed, then deletes it. */
async function renameThenDelete(page: Page, section: string, lang: 'en' | 'ar', from: string, to: string) {
  const w = WORDS[lang];
  const saved = page.locator(`#${section}`);
  await saved.getByRole('button', { name: w.rename + from }).click();
  await saved.getByLabel(w.newName).fill(to);
  await saved.getByRole('button', { name: w.saveName }).click();
  await eventually(() => savedNames(page, section)).toEqual([to]);
  await saved.getByRole('button', { name: w.del + to }).click();
  await eventually(() => savedNames(page, section)).toEqual([]);
}

describe('the reports table in English', () => {
  it('lists every report newest observed first, pages, and filters from the address', async () => {
    const page = await openPage('en', '#reports');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Reports');
    await expect(page.locator('#nav a[data-view="reports"]').getAttribute('aria-current')).resolves.toBe('page');
    await eventually(() => reportRows(page).then((r) => r.length)).toBe(50);
    const first = await reportRows(page);
    expect(first.slice(0, 2)).toEqual([sirteLatin, sirteArabic]);
    await expect(page.locator('#reports-message').textContent()).resolves.toBe(
      '50 reports shown, newest observed first',
    );
    // The newest row in words: Libya time with its zone, both scripts of the place, observer, source, flags, incident.
    const row = rowOf(page, sirteLatin);
    await expect(row.locator('td').nth(0).textContent()).resolves.toMatch(/20 Nov 2020.*08:00.*(EET|GMT\+2)/);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('Sirte · سرت');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe(pseudonymOf(omar));
    await expect(row.locator('td code.pseudonym').getAttribute('title')).resolves.toBe(
      "A stable pseudonym: observers' names are shown to administrators only",
    );
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('ODK');
    await expect(row.locator('td').nth(4).textContent()).resolves.toBe('English');
    await expect(row.locator('li[data-flag="clock_ahead"]').textContent()).resolves.toBe('Phone clock ahead');
    await expect(row.locator('li[data-flag="clock_ahead"]').getAttribute('title')).resolves.toMatch(
      /^The phone's clock was ahead/,
    );
    await expect(row.locator('td').nth(6).textContent()).resolves.toContain('Violation');
    await expect(row.locator('td').nth(7).textContent()).resolves.toBe('Processed');
    await expect(row.locator('a.incident-ref').getAttribute('href')).resolves.toBe(`#incident/${incidentId}`);
    await expect(rowOf(page, sirteArabic).locator('td').nth(3).textContent()).resolves.toBe('SMS');
    await page.screenshot({ path: await screenshotPath('review-en-reports'), fullPage: false });

    // "More reports" reads the next page; the last page has no more.
    await page.getByRole('button', { name: 'More reports' }).click();
    await eventually(() => reportRows(page).then((r) => r.length)).toBe(ROUTINE + 2);
    expect(new Set(await reportRows(page)).size).toBe(ROUTINE + 2);
    await expect(page.locator('#reports-more').isHidden()).resolves.toBe(true);

    // An Arabic place name finds the report typed in Latin script (and the one typed in Arabic).
    await form(page).getByLabel('Place', { exact: true }).fill('سرت');
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin, sirteArabic]);
    expect(hashParams(page).get('place')).toBe('سرت');
    // Flagged, then not flagged: three ways, "any" being the third.
    const flags = form(page).getByLabel('Flags', { exact: true });
    await expect(flags.locator('option').allTextContents()).resolves.toEqual(['Any', 'Flagged', 'Not flagged']);
    await flags.selectOption({ label: 'Flagged' });
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin]);
    expect(Object.fromEntries(hashParams(page))).toEqual({ place: 'سرت', flagged: 'true' });
    await page.screenshot({ path: await screenshotPath('review-en-reports-filtered') });
    await flags.selectOption({ label: 'Not flagged' });
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteArabic]);
    expect(Object.fromEntries(hashParams(page))).toEqual({ place: 'سرت', flagged: 'false' });
    // An address saying flagged=false shows "Not flagged", not an unchecked box that would mean "any".
    const unflagged = await openPage('en', `#reports?flagged=false&place=${encodeURIComponent('سرت')}`);
    await eventually(() => reportRows(unflagged)).toEqual([sirteArabic]);
    await expect(form(unflagged).getByLabel('Flags', { exact: true }).inputValue()).resolves.toBe('false');
    await expect(
      form(unflagged).getByLabel('Flags', { exact: true }).locator('option:checked').textContent(),
    ).resolves.toBe('Not flagged');
    await done(unflagged);
    await flags.selectOption({ label: 'Any' });
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin, sirteArabic]);
    expect(Object.fromEntries(hashParams(page))).toEqual({ place: 'سرت' });

    // The address is the view: opened elsewhere, it shows the same filters and rows.
    const shared = await openPage('en', `#reports?source=sms&from=2020-11-19`);
    await eventually(() => reportRows(shared)).toEqual([sirteArabic]);
    await expect(form(shared).getByLabel('Source').inputValue()).resolves.toBe('sms');
    await expect(form(shared).getByLabel('From').inputValue()).resolves.toBe('2020-11-19');
    await done(shared);
    // An observer filter and a date range together; "Reset" brings every report back.
    await form(page).getByRole('button', { name: 'Reset' }).click();
    await eventually(() => reportRows(page).then((r) => r.length)).toBe(50);
    await form(page).getByLabel('Observer (name or pseudonym)').fill('OMA');
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([]);
    await form(page).getByLabel('Observer (name or pseudonym)').fill(pseudonymOf(omar).slice(-9));
    await form(page).getByLabel('To').fill('2020-11-19');
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteArabic]);
    await done(page);
  });

  it("shows an admin the observers' usernames, and filters by them", async () => {
    const page = await openPage('en', '#reports?place=Sirte', adminState);
    await eventually(() => reportRows(page)).toEqual([sirteLatin, sirteArabic]);
    await expect(rowOf(page, sirteLatin).locator('td').nth(2).textContent()).resolves.toBe('omar');
    await expect(page.locator('#reports-rows code.pseudonym').count()).resolves.toBe(0);
    await form(page).getByLabel('Observer (name or pseudonym)').fill('OMA');
    await form(page).getByLabel('Place', { exact: true }).fill('');
    await form(page).getByRole('button', { name: 'Apply filters' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin, sirteArabic]);
    await done(page);
  });

  it('saves the table filter, applies it after a reload, renames and deletes it', async () => {
    const page = await openPage('en', '#reports?place=سرت&flagged=true');
    await eventually(() => reportRows(page)).toEqual([sirteLatin]);
    const saved = page.locator('#reports-saved');
    await expect(saved.getByText('No saved filter yet.').isVisible()).resolves.toBe(true);
    await saved.getByLabel('Name for the current filter').fill('Flagged in Sirte');
    await saved.getByRole('button', { name: 'Save current filter' }).click();
    await eventually(() => savedNames(page, 'reports-saved')).toEqual(['Flagged in Sirte']);
    await expect(saved.locator('.saved-message').textContent()).resolves.toBe('Saved “Flagged in Sirte”.');
    await expect(saved.locator('li.in-use .in-use-tag').textContent()).resolves.toBe('in use');
    expect(await savedOfChair('reports')).toEqual([
      expect.objectContaining({ name: 'Flagged in Sirte', query: { place: 'سرت', flagged: 'true' } }),
    ]);
    // The same name again is refused in words.
    await saved.getByLabel('Name for the current filter').fill('Flagged in Sirte');
    await saved.getByRole('button', { name: 'Save current filter' }).click();
    await eventually(() => saved.locator('.saved-message').textContent()).toBe(
      'You already have a saved filter named “Flagged in Sirte” here.',
    );

    // Another day: the table unfiltered, the page reloaded; one click applies the saved filter.
    await page.goto(`${s.url}/review/#reports`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await eventually(() => reportRows(page).then((r) => r.length)).toBe(50);
    await eventually(() => savedNames(page, 'reports-saved')).toEqual(['Flagged in Sirte']);
    await expect(saved.locator('li.in-use').count()).resolves.toBe(0);
    await saved.getByRole('button', { name: 'Apply the saved filter Flagged in Sirte' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin]);
    expect(Object.fromEntries(hashParams(page))).toEqual({ place: 'سرت', flagged: 'true' });
    await expect(form(page).getByLabel('Flags', { exact: true }).inputValue()).resolves.toBe('true');
    await expect(form(page).getByLabel('Place', { exact: true }).inputValue()).resolves.toBe('سرت');
    await page.screenshot({ path: await screenshotPath('review-en-reports-saved') });

    await renameThenDelete(page, 'reports-saved', 'en', 'Flagged in Sirte', 'Sirte, flagged');
    await eventually(() => saved.locator('.saved-message').textContent()).toBe('Deleted “Sirte, flagged”.');
    await expect(saved.getByText('No saved filter yet.').isVisible()).resolves.toBe(true);
    expect(await savedOfChair('reports')).toEqual([]);
    await done(page);
  });

  it('saves the queue filter with its state tab and sort, and applies it after a reload', async () => {
    const page = await openPage('en', '#queue');
    await page.locator('#state-tabs button[data-state=""]').click();
    await page.locator('#f-stance').selectOption('violation');
    await page.locator('#sort').selectOption('age');
    await page.locator('#filters button[type="submit"]').click();
    await eventually(() => queueRows(page)).toEqual([incidentId]);
    const saved = page.locator('#queue-saved');
    await saved.getByLabel('Name for the current filter').fill('Violations, oldest first');
    await saved.getByRole('button', { name: 'Save current filter' }).click();
    await eventually(() => savedNames(page, 'queue-saved')).toEqual(['Violations, oldest first']);
    expect((await savedOfChair('queue'))[0]!.query).toEqual({ stance: 'violation', sort: 'age' });

    // Reloaded, with the form reset and another sort and tab: the saved filter puts all three back.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#filters-reset').click();
    await page.locator('#sort').selectOption('-severity');
    await page.locator('#state-tabs button[data-state="verified"]').click();
    await eventually(() => queueRows(page)).toEqual([]);
    await saved.getByRole('button', { name: 'Apply the saved filter Violations, oldest first' }).click();
    await eventually(() => queueRows(page)).toEqual([incidentId]);
    await expect(page.locator('#f-stance').inputValue()).resolves.toBe('violation');
    await expect(page.locator('#sort').inputValue()).resolves.toBe('age');
    await expect(page.locator('#state-tabs button[data-state=""]').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(saved.locator('li.in-use .saved-apply').textContent()).resolves.toBe('Violations, oldest first');
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath('review-en-queue-saved') });

    await renameThenDelete(page, 'queue-saved', 'en', 'Violations, oldest first', 'Violations');
    expect(await savedOfChair('queue')).toEqual([]);
    await done(page);
  });
});

describe('the reports table in Arabic', () => {
  it('reads right to left with Arabic labels, filters, and keeps saved filters', async () => {
    const page = await openPage('ar', '#reports');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('البلاغات');
    await expect(page.locator('#nav a[data-view="reports"]').textContent()).resolves.toBe('البلاغات');
    await expect(page.locator('#reports-table thead th').first().textContent()).resolves.toBe(
      'وقت الرصد (بتوقيت ليبيا)',
    );
    await eventually(() => reportRows(page).then((r) => r.length)).toBe(50);
    // The place in the page's script first; the source and the flag in Arabic words.
    const row = rowOf(page, sirteLatin);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('سرت · Sirte');
    await expect(row.locator('li[data-flag="clock_ahead"]').textContent()).resolves.toBe('ساعة الهاتف متقدمة');
    await expect(rowOf(page, sirteArabic).locator('td').nth(3).textContent()).resolves.toBe('رسالة نصية');
    await expect(rowOf(page, sirteArabic).locator('td').nth(4).textContent()).resolves.toBe('العربية');
    await expect(rowOf(page, sirteArabic).locator('td code.pseudonym').getAttribute('title')).resolves.toBe(
      'اسم مستعار ثابت: لا تُعرض أسماء المراقبين إلا للمسؤولين',
    );
    await expect(rowOf(page, sirteArabic).locator('td').nth(2).textContent()).resolves.toBe(pseudonymOf(omar));

    // A Latin place name finds the report typed in Arabic script too; then flagged, then not flagged.
    await form(page).getByLabel('المكان', { exact: true }).fill('Sirte');
    await form(page).getByRole('button', { name: 'تطبيق' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin, sirteArabic]);
    const flags = form(page).getByLabel('التنبيهات', { exact: true });
    await expect(flags.locator('option').allTextContents()).resolves.toEqual([
      'الكل',
      'ما يحتاج إلى تحقق',
      'ما لا يحتاج إلى تحقق',
    ]);
    await flags.selectOption({ label: 'ما يحتاج إلى تحقق' });
    await form(page).getByRole('button', { name: 'تطبيق' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteLatin]);
    await page.screenshot({ path: await screenshotPath('review-ar-reports') });
    await flags.selectOption({ label: 'ما لا يحتاج إلى تحقق' });
    await form(page).getByRole('button', { name: 'تطبيق' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteArabic]);

    const saved = page.locator('#reports-saved');
    await expect(saved.getByRole('heading').textContent()).resolves.toBe('عوامل التصفية المحفوظة');
    await saved.getByLabel('اسم لعوامل التصفية الحالية').fill('سرت بلا تنبيهات');
    await saved.getByRole('button', { name: 'حفظ عوامل التصفية الحالية' }).click();
    await eventually(() => savedNames(page, 'reports-saved')).toEqual(['سرت بلا تنبيهات']);
    await expect(saved.locator('.saved-message').textContent()).resolves.toBe('حُفظت «سرت بلا تنبيهات».');

    await page.goto(`${s.url}/review/#reports`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    await eventually(() => reportRows(page).then((r) => r.length)).toBe(50);
    await saved.getByRole('button', { name: 'تطبيق عوامل التصفية المحفوظة سرت بلا تنبيهات' }).click();
    await eventually(() => reportRows(page)).toEqual([sirteArabic]);
    expect(Object.fromEntries(hashParams(page))).toEqual({ place: 'Sirte', flagged: 'false' });
    // The saved "not flagged" shows as such, not as an unchecked box.
    await expect(flags.inputValue()).resolves.toBe('false');
    await expect(flags.locator('option:checked').textContent()).resolves.toBe('ما لا يحتاج إلى تحقق');
    await expect(saved.locator('li.in-use .in-use-tag').textContent()).resolves.toBe('مُطبَّقة الآن');
    await page.screenshot({ path: await screenshotPath('review-ar-reports-saved') });

    await renameThenDelete(page, 'reports-saved', 'ar', 'سرت بلا تنبيهات', 'تنبيهات سرت');
    await eventually(() => saved.locator('.saved-message').textContent()).toBe('حُذفت «تنبيهات سرت».');
    expect(await savedOfChair('reports')).toEqual([]);
    await done(page);
  });

  it('saves and applies a queue filter with Arabic labels', async () => {
    const page = await openPage('ar', '#queue');
    await page.locator('#state-tabs button[data-state=""]').click();
    await page.locator('#filters').getByLabel('التصنيف').selectOption('violation');
    await page.locator('#filters button[type="submit"]').click();
    await eventually(() => queueRows(page)).toEqual([incidentId]);
    const saved = page.locator('#queue-saved');
    await saved.getByLabel('اسم لعوامل التصفية الحالية').fill('الخروقات');
    await saved.getByRole('button', { name: 'حفظ عوامل التصفية الحالية' }).click();
    await eventually(() => savedNames(page, 'queue-saved')).toEqual(['الخروقات']);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#filters-reset').click();
    await page.locator('#state-tabs button[data-state="verified"]').click();
    await eventually(() => queueRows(page)).toEqual([]);
    await saved.getByRole('button', { name: 'تطبيق عوامل التصفية المحفوظة الخروقات' }).click();
    await eventually(() => queueRows(page)).toEqual([incidentId]);
    await expect(page.locator('#filters').getByLabel('التصنيف').inputValue()).resolves.toBe('violation');
    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: await screenshotPath('review-ar-queue-saved') });
    await saved.getByRole('button', { name: 'حذف عوامل التصفية المحفوظة الخروقات' }).click();
    await eventually(() => savedNames(page, 'queue-saved')).toEqual([]);
    await done(page);
  });
});
