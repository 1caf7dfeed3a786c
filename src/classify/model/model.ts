// The learned term and stance models of one agreement, as one committed file: what they predict for a report,
// how their weights are stored (int8 per head, gzip), and the decision rules on top of their probabilities.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { RuleEvidence } from '../classifier.ts';
import { reportFeatures, termContextFeatures } from './features.ts';
import {
  addLogits,
  fromLogits,
  frozen,
  fuse,
  fusedLogits,
  logits,
  rowWidth,
  type FusedHeads,
  type LinearModel,
} from './linear.ts';

export const STANCES = ['violation', 'compliance', 'information'] as const;
export type StanceLabel = (typeof STANCES)[number];
export const NONE = 'none';

export interface ClassifierModel {
  agreement: string;
  bits: number;
  /** Term heads (the agreement's terms and `none`), one-vs-rest. */
  terms: LinearModel;
  /** Stance, one softmax over STANCES, reading the base features and the term-context features. */
  stance: LinearModel;
  /** A term is reported when its calibrated probability reaches this. */
  termThreshold: number;
  /** Below this confidence a classification is marked for a human instead of standing as the system's answer. */
  reviewThreshold: number;
  /** What the model was trained on: row count and the SHA-256 of the training rows as read. */
  trainedOn: { rows: number; dataSha256: string };
  /** `<agreement>@<first 12 hex of the file's SHA-256>`: recorded with every classification it makes. */
  version: string;
  /** A model read from its file: both heads' bytes side by side per bucket (linear.ts, `fuse`). */
  fused?: FusedHeads | null;
}

export interface ModelInput {
  text: string;
  placeName?: string | null;
  partyAlleged?: string | null;
  rules: RuleEvidence;
}

export interface ModelPrediction {
  termProbs: Record<string, number>;
  terms: string[];
  stanceProbs: Record<StanceLabel, number>;
  stance: StanceLabel;
  /** The lower of the chosen terms' and the stance's calibrated probabilities. */
  confidence: number;
  needsReview: boolean;
}

/** Terms from per-term probabilities: those over the threshold, at least the likeliest one, and `none` never beside a term. */
export function decideTerms(probs: Record<string, number>, threshold: number): string[] {
  const ranked = Object.entries(probs).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  let terms = ranked.filter(([, p]) => p >= threshold).map(([t]) => t);
  if (terms.length === 0) terms = [ranked[0]![0]];
  if (terms.includes(NONE) && terms.length > 1) terms = terms[0] === NONE ? [NONE] : terms.filter((t) => t !== NONE);
  return terms;
}

export function modelPredict(model: ClassifierModel, input: ModelInput): ModelPrediction {
  const { words, base } = reportFeatures(input, model.bits);
  // Both heads read the base features; a shipped model reads them for both at once (the same logits either way).
  const z = model.fused
    ? fusedLogits(model.fused, model.terms, model.stance, base)
    : { terms: logits(model.terms, [base]), stance: logits(model.stance, [base]) };
  const tp = fromLogits(model.terms, z.terms);
  const termProbs = Object.fromEntries(model.terms.labels.map((t, k) => [t, round3(tp[k]!)]));
  const terms = decideTerms(termProbs, model.termThreshold);
  let stanceProbs: Record<StanceLabel, number>;
  let stance: StanceLabel;
  if (terms[0] === NONE) {
    // Unrelated to the agreement: information by definition, as sure as the `none` call itself.
    stanceProbs = { violation: 0, compliance: 0, information: 1 };
    stance = 'information';
  } else {
    const context = termContextFeatures(words, input.rules, terms, model.bits);
    const sp = fromLogits(model.stance, addLogits(model.stance, z.stance, [context]));
    stanceProbs = Object.fromEntries(STANCES.map((s, k) => [s, round3(sp[k]!)])) as Record<StanceLabel, number>;
    stance = STANCES[sp.indexOf(Math.max(...sp))]!;
  }
  const confidence = Math.min(...terms.map((t) => termProbs[t]!), stanceProbs[stance]);
  return {
    termProbs,
    terms,
    stanceProbs,
    stance,
    confidence: round3(confidence),
    needsReview: confidence < model.reviewThreshold,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

// --- storage ---------------------------------------------------------------------------------------------------
// File: gzip( u32 header length | header JSON | int8 weights of the term heads | int8 weights of the stance heads ).
// Each head is scaled by its own largest weight: 1/127 of it is far below what changes a decision, and the file
// shrinks eightfold against float64. The model in memory is the decoded one, so eval scores what ships.

interface Header {
  format: 1;
  agreement: string;
  bits: number;
  termThreshold: number;
  reviewThreshold: number;
  trainedOn: ClassifierModel['trainedOn'];
  terms: { labels: string[]; temperature: number; scales: number[] };
  stance: { labels: string[]; temperature: number; scales: number[] };
}

function quantize(m: LinearModel): { bytes: Int8Array; scales: number[] } {
  const width = rowWidth(m.bits);
  const bytes = new Int8Array(m.weights.length);
  const scales: number[] = [];
  for (let k = 0; k < m.labels.length; k++) {
    let max = 0;
    for (let j = 0; j < width; j++) max = Math.max(max, Math.abs(m.weights[k * width + j]!));
    const scale = max > 0 ? Math.fround(max / 127) : 1;
    scales.push(scale);
    for (let j = 0; j < width; j++) bytes[k * width + j] = Math.round(m.weights[k * width + j]! / scale);
  }
  return { bytes, scales };
}

function dequantize(kind: LinearModel['kind'], bits: number, h: Header['terms'], bytes: Int8Array): LinearModel {
  const width = rowWidth(bits);
  const weights = new Float32Array(bytes.length);
  for (let k = 0; k < h.labels.length; k++)
    for (let j = 0; j < width; j++) weights[k * width + j] = bytes[k * width + j]! * h.scales[k]!;
  return { kind, bits, labels: h.labels, weights, temperature: h.temperature };
}

export function encodeModel(m: Omit<ClassifierModel, 'version'>): Buffer {
  const t = quantize(m.terms);
  const s = quantize(m.stance);
  const header: Header = {
    format: 1,
    agreement: m.agreement,
    bits: m.bits,
    termThreshold: m.termThreshold,
    reviewThreshold: m.reviewThreshold,
    trainedOn: m.trainedOn,
    terms: { labels: m.terms.labels, temperature: m.terms.temperature, scales: t.scales },
    stance: { labels: m.stance.labels, temperature: m.stance.temperature, scales: s.scales },
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  // level 9 and no timestamp in the gzip header (Node writes none): the same weights give the same bytes.
  return gzipSync(Buffer.concat([len, json, Buffer.from(t.bytes.buffer), Buffer.from(s.bytes.buffer)]), { level: 9 });
}

export function decodeModel(file: Buffer): ClassifierModel {
  const raw = gunzipSync(file);
  const len = raw.readUInt32LE(0);
  const header = JSON.parse(raw.subarray(4, 4 + len).toString('utf8')) as Header;
  if (header.format !== 1) throw new Error(`unknown model format ${String(header.format)}`);
  const width = rowWidth(header.bits);
  const at = 4 + len;
  const tBytes = new Int8Array(
    raw.buffer.slice(raw.byteOffset + at, raw.byteOffset + at + header.terms.labels.length * width),
  );
  const sAt = at + header.terms.labels.length * width;
  const sBytes = new Int8Array(
    raw.buffer.slice(raw.byteOffset + sAt, raw.byteOffset + sAt + header.stance.labels.length * width),
  );
  const terms = frozen(dequantize('ovr', header.bits, header.terms, tBytes), {
    bytes: tBytes,
    scales: header.terms.scales,
  });
  const stance = frozen(dequantize('softmax', header.bits, header.stance, sBytes), {
    bytes: sBytes,
    scales: header.stance.scales,
  });
  return {
    agreement: header.agreement,
    bits: header.bits,
    termThreshold: header.termThreshold,
    reviewThreshold: header.reviewThreshold,
    trainedOn: header.trainedOn,
    terms,
    stance,
    fused: fuse(terms, stance),
    version: `${header.agreement}@${createHash('sha256').update(file).digest('hex').slice(0, 12)}`,
  };
}
