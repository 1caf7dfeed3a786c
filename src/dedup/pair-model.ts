// The learned weighing of two reports' likeness (pair.ts): a logistic regression over the pair features, trained on
// the labeled corpus's same/different-incident pairs (scripts/train.ts), stored as readable JSON beside the
// classifier weights so a reviewer can see what counts, with small boosted trees added to its logit for what the
// features say together (pair-trees.ts). Deterministic training (seeded order, fixed split order, IEEE doubles).
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { PAIR_FEATURES, pairVector } from './pair.ts';
import type { ReportFeatures } from './features.ts';
import { treeLogit, type PairTree } from './pair-trees.ts';
import { sigmoid } from '../classify/model/linear.ts';

export interface PairModel {
  features: string[];
  weights: number[];
  /** A report joins an incident when its best member pair reaches this probability. */
  threshold: number;
  /** A report that reaches this with a second incident too ties the two: they are merged (unless a reviewer split them). */
  mergeThreshold: number;
  /**
   * How an incident of several reports is scored against a new one: this share from its closest member, the rest from
   * the mean over the members compared (1: the closest member alone). Below 1, one paragraph of a long story that
   * happens to look like the new report no longer carries the whole incident: the chains that join one article's
   * different acts (measured: `npm run train -- --search`). Files trained before it was learned read as 1.
   */
  linkage?: number;
  /**
   * Boosted trees added to the linear logit (pair-trees.ts): the features' interactions the weights cannot express.
   * Files trained before them have none and score by the weights alone.
   */
  trees?: PairTree[];
  trainedOn: { pairs: number; positives: number; dataSha256: string };
}

/**
 * A tree as scoring walks it: three arrays of one length; an inner node names a feature and sends a pair low to the
 * next node or high to a later one, so every walk moves forward and ends at a leaf. A file that says otherwise (a
 * node pointing back would loop forever in every dedup call; one pointing nowhere would score NaN and join nothing)
 * is refused when it is read.
 */
const TreeSchema = z
  .object({ f: z.array(z.number().int()), v: z.array(z.number().finite()), hi: z.array(z.number().int()) })
  .refine(
    (t) =>
      t.f.length > 0 &&
      t.v.length === t.f.length &&
      t.hi.length === t.f.length &&
      t.f.every(
        (f, n) =>
          (f === -1 && t.hi[n] === -1) ||
          (f >= 0 && f < PAIR_FEATURES.length && n + 1 < t.f.length && t.hi[n]! > n + 1 && t.hi[n]! < t.f.length),
      ),
    { message: 'a tree must walk forward to a leaf: equal lengths, known features, children after their node' },
  );

const PairModelSchema = z.object({
  features: z.array(z.string()),
  weights: z.array(z.number()),
  threshold: z.number(),
  mergeThreshold: z.number(),
  linkage: z.number().min(0).max(1).optional(),
  trees: z.array(TreeSchema).optional(),
  trainedOn: z.object({ pairs: z.number(), positives: z.number(), dataSha256: z.string() }),
});

function linearLogit(m: PairModel, v: Float64Array): number {
  let z = 0;
  for (let i = 0; i < v.length; i++) z += m.weights[i]! * v[i]!;
  return z;
}

const treesLogit = (m: PairModel, v: Float64Array) => (m.trees?.length ? treeLogit(m.trees, v) : 0);

export function pairLogit(m: PairModel, v: Float64Array): number {
  return linearLogit(m, v) + treesLogit(m, v);
}

/** The probability alone, for scanning many pairs (pairProbability adds what weighed, for the reviewer). */
export function pairScore(m: PairModel, a: ReportFeatures, b: ReportFeatures): number {
  return sigmoid(pairLogit(m, pairVector(a, b, scratch).vector));
}
const scratch = new Float64Array(PAIR_FEATURES.length);

export function pairProbability(
  m: PairModel,
  a: ReportFeatures,
  b: ReportFeatures,
): { p: number; contributions: Array<[string, number]>; km: number | null; gapH: number } {
  const { vector, km, gapH } = pairVector(a, b);
  // The trees walked once: their sum is both part of the logit and what the reviewer is told they weighed.
  const trees = treesLogit(m, vector);
  const z = linearLogit(m, vector) + trees;
  const contributions: Array<[string, number]> = [];
  for (let i = 1; i < vector.length; i++)
    if (vector[i] !== 0) contributions.push([m.features[i]!, m.weights[i]! * vector[i]!]);
  if (trees !== 0) contributions.push(['interactions', trees]);
  contributions.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
  return { p: sigmoid(z), contributions, km, gapH };
}

export interface PairExample {
  x: Float64Array;
  y: 0 | 1;
  weight?: number;
}

/** AdaGrad on the log loss with L2, a fixed number of epochs in a seeded order. */
export function trainPairWeights(
  examples: PairExample[],
  opts: { epochs?: number; rate?: number; l2?: number; seed?: number } = {},
): number[] {
  const d = PAIR_FEATURES.length;
  const w = new Float64Array(d);
  const g2 = new Float64Array(d).fill(1e-8);
  const rate = opts.rate ?? 0.2;
  const l2 = opts.l2 ?? 1e-4;
  const order = examples.map((_, i) => i);
  let s = (opts.seed ?? 1) >>> 0 || 1;
  for (let epoch = 0; epoch < (opts.epochs ?? 6); epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      s = (Math.imul(s, 48271) % 2147483647) >>> 0;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const { x, y, weight = 1 } = examples[k]!;
      let z = 0;
      for (let i = 0; i < d; i++) z += w[i]! * x[i]!;
      const err = (sigmoid(z) - y) * weight;
      for (let i = 0; i < d; i++) {
        if (x[i] === 0) continue;
        const g = err * x[i]! + (i === 0 ? 0 : l2 * w[i]!);
        g2[i] = g2[i]! + g * g;
        w[i] = w[i]! - (rate * g) / Math.sqrt(g2[i]!);
      }
    }
  }
  return Array.from(w, (x) => Math.round(x * 1e6) / 1e6);
}

/** A pair model file's text, checked: a malformed file is refused at start rather than mis-scoring every pair. */
export function parsePairModel(text: string): PairModel {
  return PairModelSchema.parse(JSON.parse(text));
}

export const pairModelFile = (agreementId: string) => new URL(`./weights/${agreementId}.pair.json`, import.meta.url);

const cache = new Map<string, PairModel | null>();

/** The agreement's trained pair model, or null (dedup then weighs pairs by the hand-set rules in similarity.ts). */
export function loadPairModel(agreementId: string): PairModel | null {
  if (cache.has(agreementId)) return cache.get(agreementId)!;
  const file = pairModelFile(agreementId);
  let model: PairModel | null = null;
  if (existsSync(file)) {
    model = parsePairModel(readFileSync(file, 'utf8'));
    if (model.features.join() !== PAIR_FEATURES.join())
      throw new Error(`${file.pathname}: trained on other pair features; run npm run train`);
  }
  cache.set(agreementId, model);
  return model;
}

export function setPairModel(agreementId: string, model: PairModel | null): void {
  cache.set(agreementId, model);
}
