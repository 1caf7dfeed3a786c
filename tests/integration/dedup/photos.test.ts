// Perceptual photo matching end to end: photos filed through the API are hashed by the workers (not at intake), a
// report whose text would not tie it to an incident joins it because its photo is a screenshot of a photo already
// there, an unrelated lookalike photo does not, and the review API shows the pair with its distance and EXIF.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhotoSet } from '../../../src/eval/photo-set.ts';
import { PHOTO_MATCH_MAX_DISTANCE } from '../../../src/dedup/photos.ts';
import { bearer } from '../../helpers/http.ts';
import { makeReport, reportForm, shellingEn } from '../../helpers/factories.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: TestServer;
let observer: ReturnType<typeof bearer>;
let other: ReturnType<typeof bearer>;
let member: ReturnType<typeof bearer>;
let original: Buffer;
let screenshot: Buffer;
let lookalike: Buffer;

async function file(client: ReturnType<typeof bearer>, body: Record<string, unknown>, photo: Buffer, name: string) {
  const r = await client.form('/api/reports', reportForm(body, [{ data: photo, name }]));
  expect(r.status).toBe(201);
  return waitFor(async () => {
    const row = await s.rt.db.report.findUnique({ where: { id: r.body.id }, include: { attachments: true } });
    return row?.status === 'processed' ? row : null;
  }, `report ${r.body.id} processed`);
}

// A caption the text alone does not tie to the shelling (tests/unit/dedup/photos.test.ts shows it scoring apart):
// a reopening that evening, not the dawn's violation. (A road closed three hours after a shelling nearby, the learned
// pair model reads as likely the same event: 0.74.)
const caption = () =>
  makeReport({
    observedAt: '2020-11-14T19:10:00+02:00',
    lat: 31.23,
    lon: 16.6,
    placeName: 'Sirte',
    partyAlleged: 'unknown',
    narrative: 'Photo sent by a contact. Road east of the city reopened to civilian traffic this evening.',
  });

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  observer = bearer(s.url, (await s.makeUser('observer')).token);
  other = bearer(s.url, (await s.makeUser('observer')).token);
  member = bearer(s.url, (await s.makeUser('commission')).token);
  const set = await makePhotoSet(1, 99);
  const pick = (group: string, t: string) => set.find((p) => p.group === group && p.transform === t)!.data;
  // The original carries its camera's EXIF, as a phone's photo does; the copies lost it on the way.
  original = await sharp(pick('scene0', 'original'))
    .withExif({
      IFD0: { Make: 'Samsung', Model: 'SM-A515F', DateTime: '2020:11:14 05:38:00' },
      IFD2: { DateTimeOriginal: '2020:11:14 05:38:00' },
    } as never)
    .jpeg({ quality: 90 })
    .toBuffer();
  screenshot = pick('scene0', 'screenshot');
  lookalike = pick('look0', 'original');
}, 120_000);
afterAll(async () => {
  await s?.close();
});

describe('near-identical photos as a dedup signal', () => {
  let a: Awaited<ReturnType<typeof file>>;
  let b: Awaited<ReturnType<typeof file>>;
  let c: Awaited<ReturnType<typeof file>>;

  it('hashes photos in the workers, before dedup reads them', async () => {
    const r = await observer.form('/api/reports', reportForm(shellingEn(), [{ data: original, name: 'IMG_2041.jpg' }]));
    expect(r.status).toBe(201);
    a = await waitFor(async () => {
      const row = await s.rt.db.report.findUnique({ where: { id: r.body.id }, include: { attachments: true } });
      return row?.status === 'processed' ? row : null;
    }, 'the first report processed');
    expect(a.attachments[0]!.phash).toMatch(/^[0-9a-f]{16}$/);
    expect((a.features as { photoHashes?: string[] }).photoHashes).toEqual([a.attachments[0]!.phash]);
  });

  it('a report with an unrelated lookalike photo (same light and landscape) stays apart', async () => {
    c = await file(other, caption(), lookalike, 'IMG_0007.jpg');
    expect(c.incidentId).not.toBe(a.incidentId);
  });

  it('a report joins the incident whose photo it screenshots, over a closer text match', async () => {
    // Its text is close to the lookalike's report (same place, same hour): the photo outranks that.
    b = await file(
      other,
      { ...caption(), narrative: 'Another picture forwarded by a local source from the east road.' },
      screenshot,
      'Screenshot_20201114.png',
    );
    expect(b.incidentId).toBe(a.incidentId);
    expect((b.assignmentReasons as string[])[0]).toMatch(
      /^same photo as a report of this incident \(\d+ of 64 bits differ\)$/,
    );
  });

  it('the review API shows the pair side by side with the distance and EXIF', async () => {
    const r = await member.get(`/api/incidents/${a.incidentId}/photo-matches`);
    expect(r.status).toBe(200);
    expect(r.body.threshold).toBe(PHOTO_MATCH_MAX_DISTANCE);
    expect(r.body.matches).toHaveLength(1);
    const [m] = r.body.matches;
    expect(m.distance).toBeLessThanOrEqual(PHOTO_MATCH_MAX_DISTANCE);
    expect(m.sameFile).toBe(false);
    const sides = [m.a, m.b].sort((x: { reportId: string }) => (x.reportId === a.id ? -1 : 1));
    expect(sides[0]).toMatchObject({
      reportId: a.id,
      sameIncident: true,
      originalName: 'IMG_2041.jpg',
      mime: 'image/jpeg',
      exif: { tags: { Make: 'Samsung', Model: 'SM-A515F', DateTimeOriginal: '2020:11:14 05:38:00' } },
    });
    expect(sides[1]).toMatchObject({ reportId: b.id, mime: 'image/png', exif: { tags: null } });
    expect(
      (await bearer(s.url, (await s.makeUser('observer')).token).get(`/api/incidents/${a.incidentId}/photo-matches`))
        .status,
    ).toBe(403);
  });
});
