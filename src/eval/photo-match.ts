// Scores perceptual matching on a labeled photo set: every pair of photos is a match when their hashes are within the
// threshold; it should be when the two show the same scene. Precision and recall over all pairs, recall per transform
// (a copy against its original) and how many lookalike pairs (same palette and light, another scene) match.
import { hammingDistance } from '../attachments/phash.ts';
import { prf } from './metrics.ts';
import type { LabeledPhoto, Transform } from './photo-set.ts';

export interface HashedPhoto extends Omit<LabeledPhoto, 'data'> {
  hash: string;
}

export interface PhotoMatchScore {
  threshold: number;
  photos: number;
  pairs: { positive: number; negative: number };
  precision: number;
  recall: number;
  f1: number;
  /** A copy matched to its original, per transform. */
  recallByTransform: Partial<Record<Transform, number>>;
  /** Pairs of a scene and its lookalike (or their copies) that matched: false matches on the hardest negatives. */
  lookalikeFalseMatches: number;
  lookalikePairs: number;
  /** Distances of same-scene pairs and of different-scene pairs: where the threshold sits between them. */
  distance: { sameMax: number; sameP95: number; differentMin: number; differentP1: number };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function scorePhotoMatching(photos: HashedPhoto[], threshold: number): PhotoMatchScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let lookFalse = 0;
  let lookPairs = 0;
  const same: number[] = [];
  const different: number[] = [];
  const byTransform = new Map<Transform, { hit: number; n: number }>();
  const sceneOf = (g: string) => g.replace(/^look/, 'scene');
  for (let i = 0; i < photos.length; i++) {
    for (let j = i + 1; j < photos.length; j++) {
      const a = photos[i]!;
      const b = photos[j]!;
      const d = hammingDistance(a.hash, b.hash);
      const match = d <= threshold;
      const truth = a.group === b.group;
      if (truth) same.push(d);
      else different.push(d);
      if (match && truth) tp++;
      else if (match) fp++;
      else if (truth) fn++;
      if (!truth && sceneOf(a.group) === sceneOf(b.group)) {
        lookPairs++;
        if (match) lookFalse++;
      }
      if (truth && !a.lookalike && (a.transform === 'original') !== (b.transform === 'original')) {
        const copy = a.transform === 'original' ? b.transform : a.transform;
        const t = byTransform.get(copy) ?? { hit: 0, n: 0 };
        t.n++;
        if (match) t.hit++;
        byTransform.set(copy, t);
      }
    }
  }
  same.sort((x, y) => x - y);
  different.sort((x, y) => x - y);
  const { precision, recall, f1 } = prf(tp, fp, fn);
  return {
    threshold,
    photos: photos.length,
    pairs: { positive: same.length, negative: different.length },
    precision,
    recall,
    f1,
    recallByTransform: Object.fromEntries(
      [...byTransform].map(([t, v]) => [t, Math.round((v.hit / v.n) * 1000) / 1000]),
    ) as PhotoMatchScore['recallByTransform'],
    lookalikeFalseMatches: lookFalse,
    lookalikePairs: lookPairs,
    distance: {
      sameMax: same.at(-1) ?? 0,
      sameP95: same.length ? quantile(same, 0.95) : 0,
      differentMin: different[0] ?? 0,
      differentP1: different.length ? quantile(different, 0.01) : 0,
    },
  };
}
