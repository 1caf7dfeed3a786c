// Training the term and stance models from labeled rows, and the grouped cross-validation that both calibrates
// them and gives the honest estimate: every group (a writer, a collection of published text, a team file) is
// held out in turn and predicted by a model that never saw it. Deterministic: same rows in, same bytes out.
import { createHash } from 'node:crypto';
import { classifyWithRules, type ClassifyResult, type RuleEvidence } from '../classifier.ts';
import type { Agreement } from '../../agreements/index.ts';
import { reportFeatures, termContextFeatures, DEFAULT_BITS, type ReportText } from './features.ts';
import { fitTemperature, logits, sigmoid, softmax, train, type LinearModel } from './linear.ts';
import { decideTerms, NONE, STANCES, type ClassifierModel } from './model.ts';

export interface TrainingRow {
  id: string;
  group: string;
  lang: 'en' | 'ar';
  narrative: string;
  placeName?: string | null;
  partyAlleged?: string | null;
  labels: { terms: string[]; stance: 'violation' | 'compliance' | 'information' };
}

export interface Prepared {
  row: TrainingRow;
  rules: RuleEvidence;
  ruleResult: ClassifyResult;
  text: ReportText;
}

export interface TrainSettings {
  bits: number;
  termEpochs: number;
  stanceEpochs: number;
  rate: number;
  l2: number;
  seed: number;
  reviewThreshold: number;
}
export const DEFAULT_SETTINGS: TrainSettings = {
  bits: DEFAULT_BITS,
  termEpochs: 10,
  stanceEpochs: 6,
  rate: 0.5,
  l2: 1e-5,
  seed: 1,
  reviewThreshold: 0.6,
};

/** Term labels of an agreement, `none` last. */
export const termLabels = (agreement: Pick<Agreement, 'terms'>) => [
  ...agreement.terms.map((t) => t.id).filter((t) => t !== NONE),
  NONE,
];

/** Rules and features of every row, computed once for all folds. */
export function prepare(rows: TrainingRow[], agreement: Agreement, bits = DEFAULT_BITS): Prepared[] {
  return rows.map((row) => {
    const input = {
      narrative: row.narrative,
      placeName: row.placeName ?? null,
      partyAlleged: row.partyAlleged ?? null,
    };
    const { result, evidence } = classifyWithRules(input, agreement);
    const text = reportFeatures(
      { text: result.normalizedText, placeName: row.placeName, partyAlleged: row.partyAlleged, rules: evidence },
      bits,
    );
    return { row, rules: evidence, ruleResult: result, text };
  });
}

function fitHeads(data: Prepared[], labels: string[], s: TrainSettings): { terms: LinearModel; stance: LinearModel } {
  const terms = train(
    data.map((p) => ({ x: [p.text.base], y: labels.map((t) => (p.row.labels.terms.includes(t) ? 1 : 0)) })),
    { bits: s.bits, labels, kind: 'ovr', epochs: s.termEpochs, rate: s.rate, l2: s.l2, seed: s.seed },
  );
  // Stance is learned from reports about the agreement's terms, read in the light of their true terms; at
  // prediction time the predicted terms stand in (an unrelated report is information by definition).
  const related = data.filter((p) => !p.row.labels.terms.includes(NONE));
  const stance = train(
    related.map((p) => ({
      x: [p.text.base, termContextFeatures(p.text.words, p.rules, p.row.labels.terms, s.bits)],
      y: STANCES.map((k) => (p.row.labels.stance === k ? 1 : 0)),
    })),
    {
      bits: s.bits,
      labels: [...STANCES],
      kind: 'softmax',
      epochs: s.stanceEpochs,
      rate: s.rate,
      l2: s.l2,
      seed: s.seed,
    },
  );
  return { terms, stance };
}

/** One held-out prediction: raw logits (for calibration) and the decision they lead to. */
export interface OutOfFold {
  id: string;
  group: string;
  termLogits: number[];
  stanceLogits: number[] | null;
  terms: string[];
  stance: string;
}

/** The groups of a grouped cross-validation, in the order their held-out predictions are listed. */
export const cvGroups = (data: Prepared[]) => [...new Set(data.map((p) => p.row.group))].sort();

/**
 * Grouped cross-validation: for each group, heads fitted on all other groups predict it (`only`: just those groups'
 * folds, so that folds can run in separate threads; see cv-pool.ts). Decisions use the
 * uncalibrated probabilities and threshold 0.5; `calibrate` turns the logits into temperatures and a threshold.
 */
export function crossValidate(
  data: Prepared[],
  labels: string[],
  s: TrainSettings = DEFAULT_SETTINGS,
  only?: readonly string[],
): OutOfFold[] {
  const groups = cvGroups(data).filter((g) => !only || only.includes(g));
  const out: OutOfFold[] = [];
  for (const g of groups) {
    const heads = fitHeads(
      data.filter((p) => p.row.group !== g),
      labels,
      s,
    );
    for (const p of data.filter((q) => q.row.group === g)) out.push(predictWith(heads, p, labels, 1, 1, 0.5, s.bits));
  }
  return out;
}

function predictWith(
  heads: { terms: LinearModel; stance: LinearModel },
  p: Prepared,
  labels: string[],
  tTemp: number,
  sTemp: number,
  threshold: number,
  bits: number,
): OutOfFold {
  const termLogits = Array.from(logits(heads.terms, [p.text.base]));
  const probs = Object.fromEntries(labels.map((t, k) => [t, sigmoid(termLogits[k]! / tTemp)]));
  const terms = decideTerms(probs, threshold);
  if (terms[0] === NONE)
    return { id: p.row.id, group: p.row.group, termLogits, stanceLogits: null, terms, stance: 'information' };
  const stanceLogits = Array.from(
    logits(heads.stance, [p.text.base, termContextFeatures(p.text.words, p.rules, terms, bits)]),
  );
  const sp = softmax(stanceLogits.map((z) => z / sTemp));
  return {
    id: p.row.id,
    group: p.row.group,
    termLogits,
    stanceLogits,
    terms,
    stance: STANCES[sp.indexOf(Math.max(...sp))]!,
  };
}

/** Temperatures fitted on held-out logits, and the term threshold that maximises held-out micro-F1 after them. */
export function calibrate(
  oof: OutOfFold[],
  data: Prepared[],
  labels: string[],
): { termTemperature: number; stanceTemperature: number; termThreshold: number } {
  const byId = new Map(data.map((p) => [p.row.id, p.row]));
  const termTemperature = fitTemperature(
    'ovr',
    oof.map((o) => ({ z: o.termLogits, y: labels.map((t) => (byId.get(o.id)!.labels.terms.includes(t) ? 1 : 0)) })),
  );
  const stanceTemperature = fitTemperature(
    'softmax',
    oof
      .filter((o) => o.stanceLogits && !byId.get(o.id)!.labels.terms.includes(NONE))
      .map((o) => ({ z: o.stanceLogits!, y: STANCES.map((k) => (byId.get(o.id)!.labels.stance === k ? 1 : 0)) })),
  );
  let best = { threshold: 0.5, f1: -1 };
  for (let th = 0.3; th <= 0.651; th += 0.05) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const o of oof) {
      const gold = new Set(byId.get(o.id)!.labels.terms);
      const pred = decideTerms(
        Object.fromEntries(labels.map((t, k) => [t, sigmoid(o.termLogits[k]! / termTemperature)])),
        th,
      );
      for (const t of pred) {
        if (gold.has(t)) tp++;
        else fp++;
      }
      for (const t of gold) if (!pred.includes(t)) fn++;
    }
    const f1 = (2 * tp) / (2 * tp + fp + fn);
    if (f1 > best.f1 + 1e-9) best = { threshold: Math.round(th * 100) / 100, f1 };
  }
  return { termTemperature, stanceTemperature, termThreshold: best.threshold };
}

/** SHA-256 of the training rows as the model saw them (id, group, text fields and labels), in order. */
export function dataDigest(rows: TrainingRow[]): string {
  const h = createHash('sha256');
  for (const r of rows)
    h.update(
      JSON.stringify([
        r.id,
        r.group,
        r.narrative,
        r.placeName ?? null,
        r.partyAlleged ?? null,
        r.labels.terms,
        r.labels.stance,
      ]),
    ).update('\n');
  return h.digest('hex');
}

/** The shipped heads: fitted on every row, with the temperatures and threshold the grouped CV chose. */
export function finalClassifier(
  prepared: Prepared[],
  agreement: Agreement,
  cal: ReturnType<typeof calibrate>,
  s: TrainSettings = DEFAULT_SETTINGS,
): Omit<ClassifierModel, 'version'> {
  const heads = fitHeads(prepared, termLabels(agreement), s);
  heads.terms.temperature = cal.termTemperature;
  heads.stance.temperature = cal.stanceTemperature;
  return {
    agreement: agreement.id,
    bits: s.bits,
    terms: heads.terms,
    stance: heads.stance,
    termThreshold: cal.termThreshold,
    reviewThreshold: s.reviewThreshold,
    trainedOn: { rows: prepared.length, dataSha256: dataDigest(prepared.map((p) => p.row)) },
  };
}
