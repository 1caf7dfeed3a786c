// A second stage for the pair model: small regression trees boosted on what the logistic regression (pair-model.ts)
// leaves unexplained. The linear model weighs each feature alone, so "same day, shared names and wording" reads as one
// incident whatever else differs; one article's or one statement's separate acts (a UN panel report's findings, a
// spokesman's claims) share exactly that. Trees see features together (same day and shared wording but no shared
// numbers or details), which is the interaction the linear model cannot express. Their output is added to the linear
// logit, so the readable weights stay the main account and the trees a bounded correction.
//
// Every pair feature lies in [0, 1] (pair.ts), so splits are taken on a fixed grid of 20 steps: training is a
// histogram per node (cost linear in the pairs), and deterministic (features and cut points tried in a fixed order,
// a split kept only when strictly better).

import { sigmoid } from '../classify/model/linear.ts';

export interface PairTree {
  /** Feature index per inner node, -1 for a leaf (depth-first order: a node's low child follows it). */
  f: number[];
  /** Inner node: the pair goes low when its feature is below this cut; leaf: the logit added. */
  v: number[];
  /** Inner node: the index of its high child (the low child is the next node). */
  hi: number[];
}

export interface TreeOptions {
  trees?: number;
  depth?: number;
  /** Shrinkage of every leaf: many small corrections generalise better than a few large ones. */
  rate?: number;
  /** L2 on leaf values (in hessian units): a leaf of few pairs stays near zero. */
  lambda?: number;
  /** The least summed hessian a child may have, so no split isolates a handful of pairs. */
  minChild?: number;
}

/**
 * Measured on held-out replays of session 18's corpus (20,408 rows; classifier predictions cached, pair training and
 * threshold search replayed, each at its best thresholds): the weights alone read published dedup F1 0.807, field
 * 0.953, team 0.933; 60 trees of depth 3: 0.813 / 0.957 / 0.933; 100 of depth 4: 0.816 / 0.955 / 0.935, at twice
 * the training time. The smaller set is kept: the same mean F1 (0.901 / 0.902) for half the cost.
 */
export const TREE_DEFAULTS: Required<TreeOptions> = { trees: 60, depth: 3, rate: 0.1, lambda: 5, minChild: 20 };

const STEPS = 20;
/**
 * Cut k sends values below (k + 0.5) / 20 low: midway between grid points. A 0/1 feature splits at the first cut,
 * 0.025 (every cut up to 0.975 splits it the same way, and the first strictly best is kept).
 */
const CUTS = Array.from({ length: STEPS }, (_, k) => (k + 0.5) / STEPS);
const BINS = STEPS + 1;

/** The bin of a value: how many cuts it reaches (the same comparison scoring makes, so both agree exactly). */
function binOf(x: number): number {
  let b = 0;
  while (b < STEPS && x >= CUTS[b]!) b++;
  return b;
}

export function treeLogit(trees: PairTree[], x: Float64Array): number {
  let z = 0;
  for (const t of trees) {
    let n = 0;
    while (t.f[n]! >= 0) n = x[t.f[n]!]! < t.v[n]! ? n + 1 : t.hi[n]!;
    z += t.v[n]!;
  }
  return z;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Boosts trees on the log loss, starting from `base` (each example's linear logit). Examples carry their weight as
 * in the linear model's training.
 */
export function trainPairTrees(
  examples: Array<{ x: Float64Array; y: 0 | 1; weight?: number }>,
  base: Float64Array,
  opts: TreeOptions = {},
): PairTree[] {
  const o = { ...TREE_DEFAULTS, ...opts };
  const n = examples.length;
  if (!n) return [];
  const d = examples[0]!.x.length;
  const bins = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) bins[i * d + j] = binOf(examples[i]!.x[j]!);
  const margin = Float64Array.from(base);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: PairTree[] = [];
  const histG = new Float64Array(d * BINS);
  const histH = new Float64Array(d * BINS);
  for (let t = 0; t < o.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]!);
      const w = examples[i]!.weight ?? 1;
      g[i] = (p - examples[i]!.y) * w;
      h[i] = Math.max(p * (1 - p), 1e-6) * w;
    }
    const tree: PairTree = { f: [], v: [], hi: [] };
    const grow = (rows: Uint32Array, depth: number): void => {
      const node = tree.f.length;
      tree.f.push(-1);
      tree.v.push(0);
      tree.hi.push(-1);
      let G = 0;
      let H = 0;
      for (const i of rows) {
        G += g[i]!;
        H += h[i]!;
      }
      const leaf = () => {
        tree.v[node] = round6((-G / (H + o.lambda)) * o.rate);
      };
      if (depth >= o.depth || H < 2 * o.minChild) return leaf();
      histG.fill(0);
      histH.fill(0);
      for (const i of rows) {
        const off = i * d;
        for (let j = 1; j < d; j++) {
          const k = j * BINS + bins[off + j]!;
          histG[k] = histG[k]! + g[i]!;
          histH[k] = histH[k]! + h[i]!;
        }
      }
      const parent = (G * G) / (H + o.lambda);
      let best = { gain: 1e-9, feature: -1, cut: -1 };
      // Feature 0 is the bias (always 1): nothing to split on.
      for (let j = 1; j < d; j++) {
        let gl = 0;
        let hl = 0;
        for (let b = 0; b < STEPS; b++) {
          gl += histG[j * BINS + b]!;
          hl += histH[j * BINS + b]!;
          const hr = H - hl;
          if (hl < o.minChild || hr < o.minChild) continue;
          const gr = G - gl;
          const gain = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parent;
          if (gain > best.gain) best = { gain, feature: j, cut: b };
        }
      }
      if (best.feature < 0) return leaf();
      const cut = CUTS[best.cut]!;
      tree.f[node] = best.feature;
      tree.v[node] = cut;
      const low: number[] = [];
      const high: number[] = [];
      for (const i of rows) (bins[i * d + best.feature]! <= best.cut ? low : high).push(i);
      grow(Uint32Array.from(low), depth + 1);
      tree.hi[node] = tree.f.length;
      grow(Uint32Array.from(high), depth + 1);
    };
    grow(
      Uint32Array.from({ length: n }, (_, i) => i),
      0,
    );
    // A tree that could not split adds a constant the bias already carries: boosting has nothing left to say.
    if (tree.f.length === 1) break;
    trees.push(tree);
    for (let i = 0; i < n; i++) margin[i] = margin[i]! + treeLogit([tree], examples[i]!.x);
  }
  return trees;
}
