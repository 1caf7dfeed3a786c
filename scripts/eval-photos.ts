// npm run eval:photos [-- --scenes N] [--seed S] [--json]
// Builds the labeled photo set (src/eval/photo-set.ts: scenes, their copies as other observers send them, unrelated
// lookalikes), hashes every photo as the workers do, and prints precision and recall of perceptual matching at the
// threshold dedup uses (PHOTO_MATCH_MAX_DISTANCE), recall per transform, false matches among lookalikes, a sweep of
// thresholds, and what hashing costs per photo.
import { performance } from 'node:perf_hooks';
import { perceptualHash } from '../src/attachments/phash.ts';
import { PHOTO_MATCH_MAX_DISTANCE } from '../src/dedup/photos.ts';
import { scorePhotoMatching, type HashedPhoto } from '../src/eval/photo-match.ts';
import { makePhotoSet } from '../src/eval/photo-set.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const scenes = opt('scenes', 40);
const seed = opt('seed', 2020);

const set = await makePhotoSet(scenes, seed);
const hashed: HashedPhoto[] = [];
const ms: number[] = [];
for (const { data, ...label } of set) {
  const t = performance.now();
  hashed.push({ ...label, hash: await perceptualHash(data) });
  ms.push(performance.now() - t);
}
ms.sort((a, b) => a - b);
const score = scorePhotoMatching(hashed, PHOTO_MATCH_MAX_DISTANCE);
const sweep = [4, 6, 8, 10, 12, 14, 16, 18].map((t) => {
  const s = scorePhotoMatching(hashed, t);
  return { threshold: t, precision: s.precision, recall: s.recall, f1: s.f1, lookalikeFalse: s.lookalikeFalseMatches };
});
const cost = {
  medianMs: Math.round(ms[ms.length >> 1]! * 100) / 100,
  p95Ms: Math.round(ms[Math.floor(ms.length * 0.95)]! * 100) / 100,
};

if (args.includes('--json')) console.log(JSON.stringify({ scenes, seed, ...score, sweep, hashCost: cost }, null, 2));
else {
  console.log(
    `photo matching on ${score.photos} photos (${scenes} scenes, seed ${seed}): ${score.pairs.positive} same-scene pairs, ${score.pairs.negative} others`,
  );
  console.log(
    `threshold ${score.threshold} bits of 64: precision ${score.precision}, recall ${score.recall}, F1 ${score.f1}`,
  );
  console.log(`lookalikes matched: ${score.lookalikeFalseMatches} of ${score.lookalikePairs} pairs`);
  console.log(
    `distances: same scene max ${score.distance.sameMax} (p95 ${score.distance.sameP95}); different scenes min ${score.distance.differentMin} (p1 ${score.distance.differentP1})`,
  );
  console.log('recall of a copy against its original, by transform:');
  for (const [t, r] of Object.entries(score.recallByTransform)) console.log(`  ${t.padEnd(14)} ${r}`);
  console.log('threshold sweep:');
  for (const s of sweep)
    console.log(
      `  ≤${String(s.threshold).padStart(2)}  P ${s.precision.toFixed(4)}  R ${s.recall.toFixed(4)}  F1 ${s.f1.toFixed(4)}  lookalikes ${s.lookalikeFalse}`,
    );
  console.log(`hash cost per photo (decode + hash, this process): median ${cost.medianMs} ms, p95 ${cost.p95Ms} ms`);
}
