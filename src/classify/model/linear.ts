// Linear models over hashed sparse features: one-vs-rest logistic heads (terms, multi-label) or one softmax
// (stance). Trained by AdaGrad with L2 in a fixed, seeded order, so the same data gives the same weights on any
// machine running this code (IEEE doubles, no threads, no library randomness).
import type { SparseVector } from './features.ts';

export type HeadKind = 'ovr' | 'softmax';

export interface LinearModel {
  kind: HeadKind;
  bits: number;
  labels: string[];
  /** labels.length rows of (2^bits + 1) weights; the last column is the bias. */
  weights: Float32Array;
  /** Calibration: logits are divided by it before the sigmoid/softmax (fitted on held-out predictions). */
  temperature: number;
  /**
   * A shipped (frozen) model's weights again, bucket-major: the labels' weights of one bucket side by side. A report
   * touches about a thousand buckets scattered over 2^20; read label-major, every bucket costs one cache miss per
   * label (ten heads: ten misses), read bucket-major one. Never set on a model being trained.
   */
  byBucket?: Float32Array;
  /**
   * A model read from its file keeps the file's one-byte weights, bucket-major (a quarter of the memory a report's
   * scattered buckets are read from), and per label the 256 values a byte stands for, as dequantised: the logits are
   * the same to the bit as from `weights`.
   */
  quantized?: { byBucket: Int8Array; values: Float32Array };
}

/** The same model with its bucket-major copy, for prediction only. */
export function frozen(m: LinearModel, file?: { bytes: Int8Array; scales: number[] }): LinearModel {
  const width = rowWidth(m.bits);
  const K = m.labels.length;
  if (file) {
    const byBucket = new Int8Array(file.bytes.length);
    for (let k = 0; k < K; k++) for (let j = 0; j < width; j++) byBucket[j * K + k] = file.bytes[k * width + j]!;
    const values = new Float32Array(K * 256);
    for (let k = 0; k < K; k++) for (let q = -128; q < 128; q++) values[k * 256 + q + 128] = q * file.scales[k]!;
    return { ...m, quantized: { byBucket, values } };
  }
  const byBucket = new Float32Array(m.weights.length);
  for (let k = 0; k < K; k++) for (let j = 0; j < width; j++) byBucket[j * K + k] = m.weights[k * width + j]!;
  return { ...m, byBucket };
}

export const rowWidth = (bits: number) => (1 << bits) + 1;

/** A report's input: one or more sparse vectors over the same buckets, scored as their sum. */
export type Input = SparseVector[];

export function logits(m: LinearModel, xs: Input): Float64Array {
  return addLogits(m, new Float64Array(m.labels.length), xs);
}

/**
 * A shipped term model and stance model read together: the bytes of both heads side by side per bucket, so the
 * report's base features (which both read) cost one memory read each instead of one per model. A report touches
 * about five hundred buckets scattered over 2^20; those reads, not the arithmetic, are most of a prediction's cost.
 */
export interface FusedHeads {
  kt: number;
  ks: number;
  byBucket: Int8Array;
}

export function fuse(terms: LinearModel, stance: LinearModel): FusedHeads | null {
  if (!terms.quantized || !stance.quantized || terms.bits !== stance.bits) return null;
  const kt = terms.labels.length;
  const ks = stance.labels.length;
  const width = rowWidth(terms.bits);
  const byBucket = new Int8Array(width * (kt + ks));
  for (let j = 0; j < width; j++) {
    for (let k = 0; k < kt; k++) byBucket[j * (kt + ks) + k] = terms.quantized.byBucket[j * kt + k]!;
    for (let k = 0; k < ks; k++) byBucket[j * (kt + ks) + kt + k] = stance.quantized.byBucket[j * ks + k]!;
  }
  return { kt, ks, byBucket };
}

/**
 * The term logits of `x`, and the stance logits of `x` alone (add the rest of the stance input with `addLogits`):
 * the same products added in the same order per label as `logits`, so the same numbers to the last bit.
 */
export function fusedLogits(
  f: FusedHeads,
  terms: LinearModel,
  stance: LinearModel,
  x: SparseVector,
): { terms: Float64Array; stance: Float64Array } {
  const { kt, ks, byBucket: q } = f;
  const tv = terms.quantized!.values;
  const sv = stance.quantized!.values;
  const outT = new Float64Array(kt);
  const outS = new Float64Array(ks);
  const stride = kt + ks;
  for (let j = 0; j < x.index.length; j++) {
    const base = x.index[j]! * stride;
    const v = x.value[j]!;
    for (let k = 0; k < kt; k++) outT[k] = outT[k]! + tv[(k << 8) + q[base + k]! + 128]! * v;
    for (let k = 0; k < ks; k++) outS[k] = outS[k]! + sv[(k << 8) + q[base + kt + k]! + 128]! * v;
  }
  return { terms: outT, stance: outS };
}

/** `out` + the logits of more input, continuing the sums in order (`logits(m, [a, b])` = addLogits(m, logits(m, [a]), [b])). */
export function addLogits(m: LinearModel, out: Float64Array, xs: Input): Float64Array {
  const width = rowWidth(m.bits);
  const K = m.labels.length;
  if (m.quantized) {
    const { byBucket: q, values } = m.quantized;
    for (const x of xs)
      for (let j = 0; j < x.index.length; j++) {
        const base = x.index[j]! * K;
        const v = x.value[j]!;
        for (let k = 0; k < K; k++) out[k] = out[k]! + values[(k << 8) + q[base + k]! + 128]! * v;
      }
    return out;
  }
  if (m.byBucket) {
    const w = m.byBucket;
    for (const x of xs)
      for (let j = 0; j < x.index.length; j++) {
        const base = x.index[j]! * K;
        const v = x.value[j]!;
        for (let k = 0; k < K; k++) out[k] = out[k]! + w[base + k]! * v;
      }
    return out;
  }
  for (let k = 0; k < K; k++) {
    const base = k * width;
    let z = out[k]!;
    for (const x of xs) for (let j = 0; j < x.index.length; j++) z += m.weights[base + x.index[j]!]! * x.value[j]!;
    out[k] = z;
  }
  return out;
}

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function softmax(z: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i]!);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Probabilities per label: independent for one-vs-rest heads, summing to 1 for a softmax. */
export function predict(m: LinearModel, xs: Input, temperature = m.temperature): number[] {
  return fromLogits(m, logits(m, xs), temperature);
}

/** Probabilities from logits already summed (see `predict`). */
export function fromLogits(m: LinearModel, z: Float64Array, temperature = m.temperature): number[] {
  if (m.kind === 'softmax') return softmax(Array.from(z, (v) => v / temperature));
  return Array.from(z, (v) => sigmoid(v / temperature));
}

export interface Example {
  x: Input;
  /** ovr: 0/1 per label; softmax: one-hot. */ y: number[];
  weight?: number;
}
export interface TrainOptions {
  bits: number;
  labels: string[];
  kind: HeadKind;
  epochs?: number;
  rate?: number;
  l2?: number;
  seed?: number;
}

/** Park–Miller style LCG: the shuffle order is part of what makes training reproducible. */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 48271) % 2147483647) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** A head whose error on an example is below this is not updated for it (saturated heads cost most of the time). */
const MIN_GRADIENT = 1e-3;

export function train(examples: Example[], opts: TrainOptions): LinearModel {
  const width = rowWidth(opts.bits);
  const K = opts.labels.length;
  // Bucket-major while training, each weight beside its AdaGrad accumulator: an example touches about a thousand
  // buckets scattered over 2^bits, and reading them label-major cost K cache misses per bucket (and as many again
  // for the accumulators). Every weight sees the same updates in the same order as label-major loops would give
  // it, so the weights are the same to the bit; the model is handed back label-major.
  const stride = 2 * K;
  const wg = new Float64Array(stride * width);
  for (let at = 1; at < wg.length; at += 2) wg[at] = 1e-8;
  const rate = opts.rate ?? 0.5;
  const l2 = opts.l2 ?? 1e-5;
  const epochs = opts.epochs ?? 12;
  const grad = new Float64Array(K);
  const z = new Float64Array(K);
  const active = new Int32Array(K);
  let bases = new Int32Array(4096);
  let values = new Float64Array(4096);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const i of shuffled(examples.length, (opts.seed ?? 1) + epoch)) {
      const { x: xs, y, weight = 1 } = examples[i]!;
      // The example's buckets and values in input order, once for the forward and the backward pass.
      let n = 0;
      for (const x of xs) n += x.index.length;
      if (n > bases.length) {
        bases = new Int32Array(n * 2);
        values = new Float64Array(n * 2);
      }
      n = 0;
      for (const x of xs)
        for (let j = 0; j < x.index.length; j++, n++) {
          bases[n] = x.index[j]! * stride;
          values[n] = x.value[j]!;
        }
      z.fill(0);
      for (let t = 0; t < n; t++) {
        const base = bases[t]!;
        const v = values[t]!;
        for (let k = 0; k < K; k++) z[k] = z[k]! + wg[base + 2 * k]! * v;
      }
      if (opts.kind === 'softmax') {
        const p = softmax(z);
        for (let k = 0; k < K; k++) grad[k] = (p[k]! - y[k]!) * weight;
      } else {
        for (let k = 0; k < K; k++) grad[k] = (sigmoid(z[k]!) - y[k]!) * weight;
      }
      let na = 0;
      for (let k = 0; k < K; k++) if (Math.abs(grad[k]!) >= MIN_GRADIENT) active[na++] = k;
      if (!na) continue;
      for (let t = 0; t < n; t++) {
        const base = bases[t]!;
        const v = values[t]!;
        for (let a = 0; a < na; a++) {
          const k = active[a]!;
          const at = base + 2 * k;
          const wa = wg[at]!;
          const g = grad[k]! * v + l2 * wa;
          const acc = wg[at + 1]! + g * g;
          wg[at + 1] = acc;
          wg[at] = wa - (rate * g) / Math.sqrt(acc);
        }
      }
    }
  }
  const weights = new Float32Array(K * width);
  for (let b = 0; b < width; b++) for (let k = 0; k < K; k++) weights[k * width + b] = wg[b * stride + 2 * k]!;
  return { kind: opts.kind, bits: opts.bits, labels: [...opts.labels], weights, temperature: 1 };
}

/**
 * Temperature that minimises the log loss of held-out logits (a one-parameter calibration: it changes how sure
 * the model says it is, never which label it picks). Golden-section search over [0.25, 8].
 */
export function fitTemperature(kind: HeadKind, heldOut: Array<{ z: number[]; y: number[] }>): number {
  const loss = (t: number) => {
    let l = 0;
    for (const { z, y } of heldOut) {
      if (kind === 'softmax') {
        const p = softmax(z.map((v) => v / t));
        for (let k = 0; k < y.length; k++) if (y[k]) l -= Math.log(Math.max(p[k]!, 1e-12));
      } else {
        for (let k = 0; k < y.length; k++) {
          const p = sigmoid(z[k]! / t);
          l -= y[k] ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
        }
      }
    }
    return l;
  };
  let a = 0.25;
  let b = 8;
  const r = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const c = b - r * (b - a);
    const d = a + r * (b - a);
    if (loss(c) < loss(d)) b = d;
    else a = c;
  }
  return Math.round(((a + b) / 2) * 1000) / 1000;
}
