// The commission pages in both languages: places shown and searched in either script, incident titles, dedup's
// reasons and the history written in words (who assigned whom, what was split or merged, linked short ids), and
// the map's markers and popups. Screenshots go to test-artifacts/screenshots/review-ar-*.png and review-en-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import type { TestServer, TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { eventually, screenshotPath } from './helpers/browser.ts';
import { done, queueRows, watch } from './helpers/review-browser.ts';
import { startReviewSession, type ReviewSession } from './helpers/review-session.ts';
import { insertIncidentWithReports, insertIncidents } from '../helpers/factories.ts';
import { seedIncidents } from './helpers/review-seed.ts';

let session: ReviewSession;
let s: TestServer;
let chair: TestUser;
let member: TestUser;
let sirte: string;
let misrata: string;
let ubari: string;

beforeAll(async () => {
  session = await startReviewSession();
  ({ s, chair, member } = session);
  [sirte, misrata, ubari] = session.incidents;
}, 120_000);

afterAll(async () => {
  await session?.close();
});

const commissionPage = (lang: 'en' | 'ar', hash = '') => session.page(lang, hash);

const filterPlace = async (page: Page, text: string) => {
  await page.locator('#f-place').fill(text);
  await page.locator('#filters button[type="submit"]').click();
  return queueRows(page);
};

describe('places in both scripts', () => {
  it('Arabic: the queue names incidents and places in Arabic, and "سرت" finds the Sirte incident', async () => {
    const page = await commissionPage('ar');
    await queueRows(page);
    const row = page.locator(`#queue-rows tr[data-id="${sirte}"]`);
    const title = (await row.locator('td.incident-cell a').textContent())!;
    expect(title).toContain('خرق: وقف الأعمال العدائية');
    expect(title).toContain('قرب سرت');
    expect(title).not.toMatch(/[A-Za-z]/);
    await expect(row.locator('td').nth(5).textContent()).resolves.toBe('سرت');
    await expect(page.locator(`#queue-rows tr[data-id="${misrata}"] td`).nth(5).textContent()).resolves.toBe('مصراتة');

    expect(await filterPlace(page, 'سرت')).toEqual([sirte]);
    await page.screenshot({ path: await screenshotPath('review-ar-queue-place-filter') });
    expect(await filterPlace(page, 'مصراتة')).toEqual([misrata]);
    await done(page);
  });

  it('English: the same incidents by their Latin names, and an Arabic query works there too', async () => {
    const page = await commissionPage('en');
    await queueRows(page);
    await expect(page.locator(`#queue-rows tr[data-id="${sirte}"] td`).nth(5).textContent()).resolves.toBe('Sirte');
    expect(await filterPlace(page, 'Sirte')).toEqual([sirte]);
    expect(await filterPlace(page, 'سرت')).toEqual([sirte]);
    await page.screenshot({ path: await screenshotPath('review-en-queue-place-filter') });
    await done(page);
  });
});

describe("dedup's reasons and the history in words", () => {
  beforeAll(async () => {
    const report = await s.rt.db.report.findFirstOrThrow({
      where: { incidentId: sirte },
      orderBy: { observedAt: 'desc' },
    });
    await s.rt.db.report.update({
      where: { id: report.id },
      data: {
        assignmentReasons: [
          'distance 0.2 km',
          'same place sirte',
          'time gap 0.8 h',
          `also matches incident ${ubari} (score 4.2): possibly the same incident, merge if so`,
        ],
      },
    });
    const api = bearer(s.url, chair.token);
    const assigned = await api.patch(`/api/incidents/${sirte}`, { assigneeId: member.user.id });
    expect(assigned.status, assigned.text).toBe(200);
    const state = await api.patch(`/api/incidents/${sirte}`, { state: 'under_review', note: 'checking' });
    expect(state.status, state.text).toBe(200);
  });

  it('English: reasons as written, the history as sentences with names and no raw JSON', async () => {
    const page = await commissionPage('en', `#incident/${sirte}`);
    const view = page.locator('#view-incident');
    await view.locator('.history li').first().waitFor();
    const reasons = await view.locator('.reasons li').allTextContents();
    expect(reasons).toContain('distance 0.2 km');
    expect(reasons).toContain('same place: Sirte');
    const history = await view.locator('.history li .words').allTextContents();
    expect(history).toContain(`${chair.username} assigned the incident to ${member.username}`);
    expect(history).toContain(`${chair.username} changed the state from New to Under review: “checking”`);
    expect((await view.locator('.history').textContent())!).not.toMatch(/[{}]|assigneeId/);
    // Times carry the agreement's zone.
    await expect(view.locator('.history time').first().textContent()).resolves.toMatch(/EET|GMT\+2/);
    await view.locator('.history').scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('review-en-incident-history'), fullPage: true });
    await done(page);
  });

  it('Arabic: reasons, history lines and place in Arabic; linked incidents keep their short id', async () => {
    const page = await commissionPage('ar', `#incident/${sirte}`);
    const view = page.locator('#view-incident');
    await view.locator('.history li').first().waitFor();
    const reasons = await view.locator('.reasons li').allTextContents();
    expect(reasons.some((r) => /^المسافة 0[.,٫]2 كم$/.test(r))).toBe(true);
    expect(reasons).toContain('المكان نفسه: سرت');
    expect(reasons.some((r) => r.startsWith('يطابق أيضاً الحادثة') && r.includes(ubari.slice(0, 8)))).toBe(true);
    await expect(view.locator(`.reasons a.incident-ref[href="#incident/${ubari}"]`).textContent()).resolves.toBe(
      ubari.slice(0, 8),
    );
    const history = (await view.locator('.history').textContent())!;
    expect(history).toContain(`كلّف ${chair.username}`);
    expect(history).toContain(`${member.username} بالحادثة`);
    expect(history).toContain('من «جديدة» إلى «قيد المراجعة»');
    expect(history).not.toMatch(/assigned|changed the state|[{}]/);
    await expect(view.locator('#incident-title').textContent()).resolves.toContain('قرب سرت');
    await view.locator('.history').scrollIntoViewIfNeeded();
    await page.screenshot({ path: await screenshotPath('review-ar-incident-history'), fullPage: true });
    await done(page);
  });

  it('a split is told on both incidents, each linking the other, in English and Arabic', async () => {
    const api = bearer(s.url, chair.token);
    const reports = await s.rt.db.report.findMany({ where: { incidentId: sirte }, orderBy: { observedAt: 'asc' } });
    const split = await api.post(`/api/incidents/${sirte}/split`, { reportIds: [reports[1]!.id] });
    expect(split.status, split.text).toBe(201);
    const created = split.body.id as string;

    const en = await commissionPage('en', `#incident/${created}`);
    const words = en.locator('#view-incident .history li .words');
    await words.first().waitFor();
    await expect(words.first().textContent()).resolves.toBe(
      `${chair.username} created this incident by splitting 1 report out of #${sirte.slice(0, 8)}`,
    );
    await expect(words.first().locator('a').getAttribute('href')).resolves.toBe(`#incident/${sirte}`);
    await done(en);

    const ar = await commissionPage('ar', `#incident/${sirte}`);
    const last = ar.locator('#view-incident .history li .words').last();
    await eventually(() => last.textContent()).toContain(`فصل ${chair.username}`);
    await expect(last.locator('a').getAttribute('href')).resolves.toBe(`#incident/${created}`);
    await expect(last.locator('a').textContent()).resolves.toBe(`#${created.slice(0, 8)}`);
    await done(ar);
  });
});

describe('the map', () => {
  for (const lang of ['en', 'ar'] as const) {
    it(`${lang}: markers tell violation from compliance; a popup names the place and the date`, async () => {
      const page = await commissionPage(lang, '#map');
      await page.locator('#incident-map path.incident-marker').first().waitFor();
      expect(await page.locator('#incident-map path.incident-marker.stance-violation').count()).toBeGreaterThan(0);
      const compliance = page.locator('#incident-map path.incident-marker.stance-compliance');
      await expect(compliance.count()).resolves.toBe(1);
      const colours = await page
        .locator('#incident-map path.incident-marker')
        .evaluateAll((ps) => [...new Set(ps.map((p: any) => `${p.classList}|${p.getAttribute('fill')}`))]);
      const fill = (stance: string) => colours.find((c) => c.includes(`stance-${stance}`))!.split('|')[1];
      expect(fill('violation')).not.toBe(fill('compliance'));
      const popup = page.locator('.leaflet-popup-content');
      // A click that lands while the map is still settling (its first fit, markers drawn again) opens nothing: click
      // again until the marker's popup is open.
      await eventually(async () => {
        await compliance.click({ force: true });
        return popup.isVisible();
      }).toBe(true);
      await expect(popup.locator('.popup-place').textContent()).resolves.toBe(lang === 'ar' ? 'مصراتة' : 'Misrata');
      await expect(popup.locator('.popup-date').textContent()).resolves.toMatch(/2020/);
      await page.screenshot({ path: await screenshotPath(`review-${lang}-map-popup`) });
      await done(page);
    });
  }
});

// After the history tests: the assignment, state change and split they made are what the log shows.
describe('the audit log page', () => {
  it('English: every action in words, filtered by action and by a short id, paged', async () => {
    const page = await commissionPage('en', '#audit');
    const rows = page.locator('#audit-rows tr');
    await rows.first().waitFor();
    const all = await rows.count();
    expect(all).toBeGreaterThan(3);
    const text = (await page.locator('#audit-table').textContent())!;
    expect(text).toContain(`${chair.username} assigned the incident to ${member.username}`);
    expect(text).not.toMatch(/assigneeId|[{}]/);

    await page.locator('#audit-action').selectOption('incident_assigned');
    await page.locator('#audit-form button[type="submit"]').click();
    await eventually(() => rows.count()).toBe(1);
    await expect(rows.first().locator(`a[href="#incident/${sirte}"]`).textContent()).resolves.toBe(
      `#${sirte.slice(0, 8)}`,
    );
    await page.locator('#audit-action').selectOption('');
    await page.getByLabel('Id (or its first 8 characters)').fill(sirte.slice(0, 8));
    await page.locator('#audit-form button[type="submit"]').click();
    await eventually(async () => (await rows.evaluateAll((rs) => rs.map((r: any) => r.dataset.action))).sort()).toEqual(
      ['incident_assigned', 'incident_state_changed', 'report_split'],
    );
    await page.screenshot({ path: await screenshotPath('review-en-audit-log'), fullPage: true });
    await done(page);
  });

  it('Arabic: the same log in Arabic; "Older entries" loads the next page', async () => {
    // More rows than a page holds: comments by the chair.
    const api = bearer(s.url, chair.token);
    for (let i = 0; i < 52; i++)
      expect((await api.post(`/api/incidents/${ubari}/comments`, { body: `note ${i}` })).status).toBe(201);
    const page = await commissionPage('ar', '#audit');
    const rows = page.locator('#audit-rows tr');
    await eventually(() => rows.count()).toBe(50);
    await expect(page.locator('#audit-title').textContent()).resolves.toBe('سجل التدقيق');
    await expect(rows.first().locator('td.words').textContent()).resolves.toBe(`أضاف ${chair.username} تعليقاً`);
    await page.getByRole('button', { name: 'قيود أقدم' }).click();
    await eventually(() => rows.count()).toBeGreaterThan(50);
    const seqs = await rows.evaluateAll((rs) => rs.map((r: any) => Number(r.dataset.seq)));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const text = (await page.locator('#audit-table').textContent())!;
    expect(text).toContain(`كلّف ${chair.username}`);
    await page.screenshot({ path: await screenshotPath('review-ar-audit-log') });
    await done(page);
  });
});

describe('merge by short id, merged incidents, split message', () => {
  const twoIncidents = async () => {
    const observer = session.observer.user.id;
    const a = await insertIncidentWithReports(s.rt.db, observer, [{ placeName: 'Sirte' }, { placeName: 'Sirte' }], {
      placeName: 'Sirte',
    });
    const b = await insertIncidentWithReports(s.rt.db, observer, [{ placeName: 'Sirte' }], { placeName: 'Sirte' });
    return [a, b] as const;
  };

  it('English: merges by the 8-character id; the merged-away incident says where it went, buttons disabled', async () => {
    const [a, b] = await twoIncidents();
    const page = await commissionPage('en', `#incident/${a.id}`);
    const view = page.locator('#view-incident');
    await view.locator('#incident-title').waitFor();
    await expect(view.locator('.heading-row code.id').textContent()).resolves.toBe(`#${a.id.slice(0, 8)}`);
    // A short id that names nothing is refused in words.
    page.on('dialog', (d) => d.accept());
    await view.getByLabel("Other incident's id (e.g. #4f2a0c1d)").fill('#0badcafe');
    await view.getByRole('button', { name: 'Merge into this incident' }).click();
    await page.locator('#flash.flash-error', { hasText: 'No incident has the id #0badcafe.' }).waitFor();

    await view.getByLabel("Other incident's id (e.g. #4f2a0c1d)").fill(`#${b.id.slice(0, 8)}`);
    await view.getByRole('button', { name: 'Merge into this incident' }).click();
    await page.locator('#flash', { hasText: 'Incidents merged.' }).waitFor();
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: b.id } })).mergedIntoId).toBe(a.id);
    await eventually(() => view.locator('.history li .words').last().textContent()).toContain(
      `merged #${b.id.slice(0, 8)} into this incident (1 report moved here)`,
    );

    await page.goto(`${s.url}/review/#incident/${b.id}`);
    await page.locator('#merged-banner').waitFor();
    await expect(page.locator('#merged-banner').textContent()).resolves.toContain(`Merged into #${a.id.slice(0, 8)}`);
    await expect(page.locator('#merged-banner a').getAttribute('href')).resolves.toBe(`#incident/${a.id}`);
    await expect(page.locator('#view-incident .heading-row .state').textContent()).resolves.toBe('Merged');
    const enabled = await page
      .locator('#view-incident .incident-actions')
      .locator('button:enabled, input:enabled, select:enabled, textarea:enabled')
      .count();
    expect(enabled).toBe(0);
    await expect(page.locator('#view-incident .history li .words').last().textContent()).resolves.toContain(
      `merged this incident into #${a.id.slice(0, 8)}`,
    );
    await page.screenshot({ path: await screenshotPath('review-en-merged-away'), fullPage: true });
    await done(page);
  });

  it('Arabic: the merged-away incident and the split message in Arabic', async () => {
    const [a, b] = await twoIncidents();
    expect((await bearer(s.url, chair.token).post(`/api/incidents/${a.id}/merge`, { otherId: b.id })).status).toBe(200);
    const page = await commissionPage('ar', `#incident/${b.id}`);
    await page.locator('#merged-banner').waitFor();
    await expect(page.locator('#merged-banner').textContent()).resolves.toContain('دُمجت في');
    await expect(page.locator('#view-incident .heading-row .state').textContent()).resolves.toBe('مدموجة');
    await page.screenshot({ path: await screenshotPath('review-ar-merged-away'), fullPage: true });

    // Split one report out of the survivor: the new incident opens with a message naming where it came from.
    await page.locator('#merged-banner a').click();
    const view = page.locator('#view-incident');
    await eventually(() => view.locator('article.report').count()).toBe(3);
    await view.locator('article.report input[type=checkbox]').first().check();
    await view.getByRole('button', { name: 'فصل البلاغات المحددة' }).click();
    await page
      .locator('#flash', { hasText: `تضم هذه الحادثة الجديدة البلاغ المفصول عن #${a.id.slice(0, 8)}.` })
      .waitFor();
    await eventually(() => view.locator('.history li .words').first().textContent()).toContain(
      `بفصل بلاغ واحد عن #${a.id.slice(0, 8)}`,
    );
    await page.screenshot({ path: await screenshotPath('review-ar-split-landed'), fullPage: true });
    await done(page);
  });
});

describe('a new report on a verified incident', () => {
  it('shows a badge in the queue, a banner and a history line, in English and Arabic; the state stays verified', async () => {
    expect((await bearer(s.url, chair.token).patch(`/api/incidents/${ubari}`, { state: 'verified' })).status).toBe(200);
    // Filed through the real intake; the pipeline's dedup puts it in the Ubari incident.
    const [joined] = await seedIncidents(s, session.observer, [
      {
        reports: [
          {
            narrative:
              'Around forty foreign fighters seen at Ubari airstrip after a cargo plane landed, heading to the oil field.',
            language: 'en',
            observedAt: '2020-12-02T14:40:00+02:00',
            lat: 26.59,
            lon: 12.78,
            placeName: 'Ubari',
            partyAlleged: 'foreign',
            evidence: { mercenary_withdrawal: ['foreign fighters'] },
            stance: 'violation',
          },
        ],
      },
    ]);
    expect(joined).toBe(ubari);

    const en = await commissionPage('en');
    await queueRows(en);
    await en.locator('#state-tabs [data-state="verified"]').click();
    const badge = en.locator(`#queue-rows tr[data-id="${ubari}"] .tag.new-since`);
    await eventually(() => badge.textContent()).toBe('1 new report since verification');
    await en.screenshot({ path: await screenshotPath('review-en-new-since-verified-queue') });
    await en.locator(`#queue-rows tr[data-id="${ubari}"] td.incident-cell a`).click();
    await en.locator('#new-since-banner').waitFor();
    await expect(en.locator('#new-since-banner').textContent()).resolves.toMatch(
      /^1 new report arrived after this incident was verified \(.+\)\. The verification stands/,
    );
    await expect(en.locator('#view-incident .heading-row .state').textContent()).resolves.toBe('Verified');
    await expect(en.locator('#view-incident .history li .words').last().textContent()).resolves.toBe(
      'A new report joined this incident while it was Verified',
    );
    await en.screenshot({ path: await screenshotPath('review-en-new-since-verified'), fullPage: true });
    await done(en);

    const ar = await commissionPage('ar', `#incident/${ubari}`);
    await ar.locator('#new-since-banner').waitFor();
    await expect(ar.locator('#new-since-banner').textContent()).resolves.toContain(
      'وصل بلاغ جديد بعد تأكيد هذه الحادثة',
    );
    await expect(ar.locator('#view-incident .history li .words').last().textContent()).resolves.toBe(
      'انضم بلاغ جديد إلى هذه الحادثة وهي «مؤكَّدة»',
    );
    await ar.screenshot({ path: await screenshotPath('review-ar-new-since-verified'), fullPage: true });
    await done(ar);
  });
});

describe('times in the agreement zone', () => {
  it('a digest asked for 28 Nov–4 Dec is listed and named from 28 Nov to 4 Dec, in English and Arabic', async () => {
    const page = await commissionPage('en', '#digests');
    const form = page.locator('#digest-form');
    await form.getByLabel('From').fill('2020-11-28');
    await form.getByLabel('To').fill('2020-12-04');
    await page.getByRole('button', { name: 'Compile digest' }).click();
    await page.locator('#flash', { hasText: 'Digest compiled.' }).waitFor();
    const item = page.locator('#digests-list > li').first();
    await expect(item.locator('.item-head strong').textContent()).resolves.toBe('28 Nov 2020 – 4 Dec 2020');
    await expect(
      item.locator('li[lang="en"]').getByRole('link', { name: 'PDF' }).getAttribute('download'),
    ).resolves.toBe('digest-2020-11-28-2020-12-04-en.pdf');
    await page.screenshot({ path: await screenshotPath('review-en-digest-named') });

    await page.getByRole('button', { name: 'Switch to Arabic' }).click();
    await page.waitForFunction(() => (globalThis as any).document.documentElement.dir === 'rtl');
    const head = page.locator('#digests-list > li').first().locator('.item-head strong');
    await eventually(() => head.textContent()).toMatch(/^28 نوفمبر 2020 – 4 ديسمبر 2020$/);
    await page.screenshot({ path: await screenshotPath('review-ar-digest-named') });
    await done(page);
  });
});

describe('the digest a commission can act on', () => {
  it('opens with a brief, and names a severe incident still under review with its state, in English and Arabic', async () => {
    const [severe] = await insertIncidents(s.rt.db, [
      {
        state: 'under_review',
        severity: 5,
        terms: ['hostilities'],
        stance: 'violation',
        placeName: 'Sirte',
        lat: 31.2,
        lon: 16.6,
        firstObservedAt: new Date('2020-11-21T06:00:00Z'),
        lastObservedAt: new Date('2020-11-21T07:00:00Z'),
      },
    ]);
    const page = await commissionPage('en', '#digests');
    const form = page.locator('#digest-form');
    await form.getByLabel('From').fill('2020-11-16');
    await form.getByLabel('To').fill('2020-11-22');
    await page.getByRole('button', { name: 'Compile digest' }).click();
    await page.locator('#flash', { hasText: 'Digest compiled.' }).waitFor();
    const item = page.locator('#digests-list > li', { hasText: '16 Nov 2020 – 22 Nov 2020' });
    await item.waitFor();
    for (const lang of ['en', 'ar'] as const) {
      const href = (await item.locator(`li[lang="${lang}"]`).getByRole('link', { name: 'Open' }).getAttribute('href'))!;
      const digest = watch(await page.context().newPage());
      await digest.goto(`${s.url}${href}`);
      const brief = (await digest.locator('#brief').textContent())!;
      const notable = (await digest.locator('#notable').textContent())!;
      if (lang === 'en') {
        expect(brief).toContain('1 severe incident, 0 verified: each is named below with its review state.');
        expect(notable).toContain('Under review');
        expect(notable).toMatch(/2020-11-21\s*Sirte\s*Cessation of hostilities\s*Under review/);
      } else {
        expect(brief).toContain('الحوادث الخطيرة: 1، المؤكد منها: 0');
        expect(notable).toContain('قيد المراجعة');
        expect(notable).toContain('قرب سرت');
        expect(notable).not.toMatch(/Violation|near/);
      }
      await digest.screenshot({ path: await screenshotPath(`review-${lang}-digest-brief`), fullPage: true });
      await digest.close();
    }
    expect(severe).toBeTruthy();
    await done(page);
  });
});

describe('exports from the queue', () => {
  for (const lang of ['en', 'ar'] as const) {
    it(`${lang}: the export links carry the filters and download the selected incidents and reports`, async () => {
      const page = await commissionPage(lang);
      await queueRows(page);
      const shown = await filterPlace(page, lang === 'ar' ? 'مصراتة' : 'Misrata');
      expect(shown).toEqual([misrata]);
      const link = page.locator('#queue-exports a[data-export="incidents.csv"]');
      await expect(link.textContent()).resolves.toBe(lang === 'ar' ? 'الحوادث (CSV)' : 'Incidents (CSV)');
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const csv = await readFile((await download.path())!, 'utf8');
      const lines = csv.trim().split(/\r?\n/);
      expect(lines).toHaveLength(2); // the header and the one incident the queue shows
      expect(csv).toContain(misrata);
      const [geo] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('#queue-exports a[data-export="reports.geojson"]').click(),
      ]);
      const fc = JSON.parse(await readFile((await geo.path())!, 'utf8'));
      expect(fc.type).toBe('FeatureCollection');
      expect(fc.features.length).toBeGreaterThan(0);
      await page.locator('#queue-exports').scrollIntoViewIfNeeded();
      await page.screenshot({ path: await screenshotPath(`review-${lang}-queue-exports`) });
      await done(page);
    });
  }
});
