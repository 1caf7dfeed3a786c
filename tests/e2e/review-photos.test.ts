// The incident page shows near-identical photos side by side: a screenshot another observer sent of a photo already in
// the incident, the number of hash bits that differ, and each photo's EXIF; and links the incident's custody package.
// Screenshot: test-artifacts/screenshots/review-photo-matches.png.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { makePhotoSet } from '../../src/eval/photo-set.ts';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { reportForm, shellingEn, makeReport } from '../helpers/factories.ts';
import { waitFor } from '../helpers/wait.ts';
import { launchBrowser, screenshotPath, vendorPublic } from './helpers/browser.ts';
import { laptopContext, openReview, signedInState } from './helpers/review-browser.ts';

let s: TestServer;
let browser: Browser;
let member: TestUser;
let incidentId: string;

async function fileAndWait(token: string, body: Record<string, unknown>, data: Buffer, name: string) {
  const r = await bearer(s.url, token).form('/api/reports', reportForm(body, [{ data, name }]));
  expect(r.status).toBe(201);
  return waitFor(async () => {
    const row = await s.rt.db.report.findUnique({ where: { id: r.body.id } });
    return row?.status === 'processed' ? row : null;
  }, 'report processed');
}

beforeAll(async () => {
  vendorPublic();
  s = await startTestServer({ workers: true });
  member = await s.makeUser('commission');
  const [one, two] = [await s.makeUser('observer'), await s.makeUser('observer')];
  const set = await makePhotoSet(1, 5);
  const original = await sharp(set.find((p) => p.transform === 'original')!.data)
    .withExif({
      IFD0: { Make: 'Samsung', Model: 'SM-A515F', Software: 'A515FXXU4CTJ1' },
      IFD2: { DateTimeOriginal: '2020:11:14 05:38:00' },
    } as never)
    .jpeg({ quality: 90 })
    .toBuffer();
  const a = await fileAndWait(one.token, shellingEn(), original, 'IMG_2041.jpg');
  incidentId = a.incidentId!;
  const shot = set.find((p) => p.group === 'scene0' && p.transform === 'screenshot')!.data;
  const b = await fileAndWait(
    two.token,
    makeReport({ observedAt: '2020-11-14T08:10:00+02:00', narrative: 'Forwarded picture from the east road.' }),
    shot,
    'Screenshot_20201114-081012.png',
  );
  expect(b.incidentId).toBe(incidentId);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

describe('matching photos on the incident page', () => {
  it('shows the pair side by side with the hash distance and EXIF, and links the custody package', async () => {
    const page = await (
      await laptopContext(browser, { storageState: await signedInState(browser, s.url, member) })
    ).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openReview(page, s.url, `#incident/${incidentId}`);
    const pair = page.locator('#photo-matches .photo-pair').first();
    await pair.waitFor();
    expect(await pair.locator('.distance').textContent()).toMatch(
      /^\d+ of 64 hash bits differ \(same photo up to \d+\)$/,
    );
    expect(await pair.locator('figure.photo-side').count()).toBe(2);
    const text = (await pair.textContent()) ?? '';
    expect(text).toContain('Samsung SM-A515F');
    expect(text).toContain('A515FXXU4CTJ1');
    expect(text).toContain('Screenshot_20201114-081012.png');
    // Both thumbnails loaded (the server makes them from the originals).
    await page.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('#photo-matches img')].every(
        (i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth > 0,
      ),
    );
    expect(await page.locator('a.custody').getAttribute('href')).toBe(`/api/incidents/${incidentId}/custody`);
    await page.locator('#photo-matches').scrollIntoViewIfNeeded();
    await page.locator('#photo-matches').screenshot({ path: await screenshotPath('review-photo-matches') });
    expect(errors).toEqual([]);
  });
});
