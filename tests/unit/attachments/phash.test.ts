// Perceptual hashes on the generated photo set (the set npm run eval:photos scores, smaller): copies another observer
// would send match their original, unrelated lookalikes never do; and the parts (DCT hash, content box) on their own.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentSpan, dctHash, hammingDistance, perceptualHash } from '../../../src/attachments/phash.ts';
import { PHOTO_MATCH_MAX_DISTANCE } from '../../../src/dedup/photos.ts';
import { scorePhotoMatching, type HashedPhoto } from '../../../src/eval/photo-match.ts';
import { makePhotoSet } from '../../../src/eval/photo-set.ts';

describe('perceptual matching on generated photos', () => {
  let hashed: HashedPhoto[];
  beforeAll(async () => {
    const set = await makePhotoSet(6, 11);
    hashed = [];
    for (const { data, ...label } of set) hashed.push({ ...label, hash: await perceptualHash(data) });
  }, 120_000);

  it('never matches different scenes, lookalikes included, at the dedup threshold', () => {
    const s = scorePhotoMatching(hashed, PHOTO_MATCH_MAX_DISTANCE);
    expect(s.precision).toBe(1);
    expect(s.lookalikeFalseMatches).toBe(0);
    expect(s.distance.differentMin).toBeGreaterThan(PHOTO_MATCH_MAX_DISTANCE);
  });

  it('matches resized, re-encoded, framed, screenshotted, brightened and lightly cropped copies to their original', () => {
    const r = scorePhotoMatching(hashed, PHOTO_MATCH_MAX_DISTANCE).recallByTransform;
    for (const t of ['resize_half', 'resize_small', 'jpeg_q30', 'webp_q50', 'frame', 'screenshot', 'brighter'] as const)
      expect(r[t], t).toBe(1);
    // Crops move the whole frame under a global hash: a light one mostly still matches (the floor is what was measured
    // on this small set; npm run eval:photos gives the figures on the larger one).
    expect(r.crop_5).toBeGreaterThanOrEqual(0.66);
  });
});

describe('parts', () => {
  it('gives a plain picture no hash (it would match every other plain one), and counts differing bits', async () => {
    const grey = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#777' } })
      .png()
      .toBuffer();
    expect(await perceptualHash(grey)).toBe('');
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('0f00000000000001', '0000000000000000')).toBe(5);
  });

  it('dctHash ignores brightness: a picture and its brighter copy hash alike', () => {
    const px = Buffer.from(
      Array.from({ length: 32 * 32 }, (_, i) => {
        const [x, y] = [i % 32, Math.floor(i / 32)];
        return 110 + 50 * Math.sin(x / 3 + Math.cos(y / 4)) + 30 * Math.cos((x * y) / 40);
      }),
    );
    const brighter = Buffer.from(px.map((v) => Math.min(255, v + 30)));
    expect(hammingDistance(dctHash(px), dctHash(brighter))).toBeLessThanOrEqual(2);
  });

  it('contentSpan peels plain margins and a status bar, and keeps a photo with no border whole', () => {
    const busy = (n: number) => Array.from({ length: n }, () => 20);
    const flat = (n: number) => Array.from({ length: n }, () => 0);
    expect(contentSpan(busy(100))).toEqual([0, 100]);
    expect(contentSpan([...flat(10), ...busy(80), ...flat(10)])).toEqual([10, 90]);
    // Status bar (6 busy lines) above a black bar, the photo, a black bar.
    expect(contentSpan([...flat(1), ...busy(6), ...flat(60), ...busy(100), ...flat(60)])).toEqual([67, 167]);
    // Mostly plain: hashed whole rather than a sliver.
    expect(contentSpan([...flat(95), ...busy(5)])).toEqual([0, 100]);
  });
});
