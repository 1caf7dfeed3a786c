// The honest estimate: grouped cross-validation over the labeled corpus. Every group (a writer, a collection of
// published text, a team file) is classified by term and stance models fitted without it, then replayed through
// dedup with pair weights fitted without it, and scored like `npm run eval` scores a file. The same held-out
// predictions calibrate the shipped models (temperatures, thresholds), so the figures here are what the calibration
// was chosen on, not on the rows themselves.
import type { Agreement } from '../agreements/index.ts';
import type { Classification } from '../classify/classify.ts';
import { sigmoid, softmax } from '../classify/model/linear.ts';
import { decideTerms, NONE, STANCES } from '../classify/model/model.ts';
import { crossValidateInThreads } from '../classify/model/cv-pool.ts';
import {
  calibrate,
  prepare,
  termLabels,
  DEFAULT_SETTINGS,
  type OutOfFold,
  type Prepared,
  type TrainSettings,
} from '../classify/model/train.ts';
import type { CorpusRow } from '../classify/model/corpus.ts';
import {
  dedupFeatures,
  replayGroup,
  trainPairModel,
  type DedupPrepared,
  type PairTraining,
} from '../dedup/pair-train.ts';
import { scoreClassification, scoreDedup, type ClassificationScore, type DedupScore } from './metrics.ts';

export interface HeldOut {
  row: CorpusRow;
  terms: string[];
  stance: string;
  confidence: number;
  termProbs: Record<string, number>;
  stanceProbs: Record<string, number>;
}

/** A held-out prediction as the workers would have produced it: calibrated, thresholded, with the rules' signals. */
function classificationOf(
  p: Prepared,
  o: OutOfFold,
  labels: string[],
  cal: ReturnType<typeof calibrate>,
  reviewThreshold: number,
): Classification {
  const termProbs = Object.fromEntries(labels.map((t, k) => [t, sigmoid(o.termLogits[k]! / cal.termTemperature)]));
  const terms = decideTerms(termProbs, cal.termThreshold);
  let stanceProbs: Record<string, number> = { violation: 0, compliance: 0, information: 1 };
  let stance = 'information';
  if (terms[0] !== NONE && o.stanceLogits) {
    const sp = softmax(o.stanceLogits.map((z) => z / cal.stanceTemperature));
    stanceProbs = Object.fromEntries(STANCES.map((s, k) => [s, sp[k]!]));
    stance = STANCES[sp.indexOf(Math.max(...sp))]!;
  }
  const confidence = Math.min(...terms.map((t) => termProbs[t]!), stanceProbs[stance]!);
  return {
    ...p.ruleResult,
    terms: terms.map((id) => ({ id, confidence: termProbs[id]!, evidence: [] })),
    stance: stance as Classification['stance'],
    stanceConfidence: stanceProbs[stance]!,
    stanceEvidence: [],
    model: {
      version: 'cv',
      termProbs,
      stanceProbs,
      confidence,
      needsReview: confidence < reviewThreshold,
      rules: { terms: p.ruleResult.terms.map((t) => t.id), stance: p.ruleResult.stance },
    },
  };
}

export interface CorpusCv {
  prepared: Prepared[];
  heldOut: HeldOut[];
  calibration: ReturnType<typeof calibrate>;
  dedup: DedupPrepared[];
  pair: PairTraining;
  /** Predicted incident of every row, from replays with pair weights fitted without its group. */
  incidents: Map<string, string>;
}

export async function crossValidateCorpus(
  rows: CorpusRow[],
  agreement: Agreement,
  s: TrainSettings = DEFAULT_SETTINGS,
): Promise<CorpusCv> {
  const labels = termLabels(agreement);
  const usable = rows.filter((r) => r.labels.terms.every((t) => labels.includes(t)));
  const prepared = prepare(usable, agreement, s.bits);
  const oof = await crossValidateInThreads(prepared, labels, s);
  const cal = calibrate(oof, prepared, labels);
  const byId = new Map(oof.map((o) => [o.id, o]));
  const classifications = prepared.map((p) => classificationOf(p, byId.get(p.row.id)!, labels, cal, s.reviewThreshold));
  const dedup = dedupFeatures(
    usable.map((r, i) => ({
      id: r.id,
      group: r.group,
      kind: r.kind,
      incident: r.incident,
      lang: r.lang,
      observedAt: r.observedAt,
      lat: r.lat,
      lon: r.lon,
      placeName: r.placeName ?? null,
      narrative: r.narrative,
      partyAlleged: r.partyAlleged ?? null,
      attachmentHashes: r.attachmentHashes,
      classification: classifications[i]!,
    })),
    agreement,
  );
  const pair = trainPairModel(dedup);
  const incidents = new Map<string, string>();
  for (const g of [...new Set(usable.map((r) => r.group))].sort()) {
    const part = dedup.filter((d) => d.row.group === g);
    // The weights and trees fitted without this group, as the threshold search used them.
    const weights = pair.heldOut.get(g)!;
    const trees = pair.heldOutTrees.get(g)!;
    for (const [id, inc] of replayGroup(part, { ...pair.model, weights, trees })) incidents.set(id, `${g}/${inc}`);
  }
  const heldOut = usable.map((row, i) => {
    const c = classifications[i]!;
    return {
      row,
      terms: c.terms.map((t) => t.id),
      stance: c.stance,
      confidence: c.model.confidence,
      termProbs: c.model.termProbs,
      stanceProbs: c.model.stanceProbs,
    };
  });
  return { prepared, heldOut, calibration: cal, dedup, pair, incidents };
}

export interface CvScore {
  classification: ClassificationScore & { perLanguage: { en: ClassificationScore; ar: ClassificationScore } };
  dedup: DedupScore;
}

export function scoreHeldOut(cv: CorpusCv, select: (r: CorpusRow) => boolean): CvScore {
  const part = cv.heldOut.filter((h) => select(h.row));
  const items = (xs: HeldOut[]) =>
    xs.map((h) => ({
      goldTerms: h.row.labels.terms,
      predTerms: h.terms,
      goldStance: h.row.labels.stance,
      predStance: h.stance,
    }));
  // Dedup pairs only within a group: reports of different groups never share an incident.
  const groups = [...new Set(part.map((h) => h.row.group))];
  let dedup: DedupScore | null = null;
  const all = groups.flatMap((g) =>
    part
      .filter((h) => h.row.group === g)
      .map((h) => ({ id: h.row.id, lang: h.row.lang, gold: h.row.incident, pred: cv.incidents.get(h.row.id)! })),
  );
  dedup = scoreDedup(all);
  return {
    classification: {
      ...scoreClassification(items(part)),
      perLanguage: {
        en: scoreClassification(items(part.filter((h) => h.row.lang === 'en'))),
        ar: scoreClassification(items(part.filter((h) => h.row.lang === 'ar'))),
      },
    },
    dedup,
  };
}

/** How often the decision (all terms and the stance) is right per confidence band, and at each coverage. */
export function reliability(heldOut: HeldOut[]): {
  bins: Array<{ from: number; to: number; n: number; meanConfidence: number; accuracy: number }>;
  coverage: Array<{ coverage: number; threshold: number; accuracy: number }>;
} {
  const right = (h: HeldOut) =>
    h.stance === h.row.labels.stance &&
    h.terms.length === h.row.labels.terms.length &&
    h.terms.every((t) => h.row.labels.terms.includes(t));
  const edges = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001];
  const bins = edges.slice(0, -1).map((from, i) => {
    const inBin = heldOut.filter((h) => h.confidence >= from && h.confidence < edges[i + 1]!);
    return {
      from,
      to: Math.min(1, edges[i + 1]!),
      n: inBin.length,
      meanConfidence: inBin.length ? inBin.reduce((a, h) => a + h.confidence, 0) / inBin.length : 0,
      accuracy: inBin.length ? inBin.filter(right).length / inBin.length : 0,
    };
  });
  const sorted = heldOut.slice().sort((a, b) => b.confidence - a.confidence);
  const coverage = [1, 0.9, 0.8, 0.7, 0.6, 0.5].map((c) => {
    const kept = sorted.slice(0, Math.max(1, Math.round(sorted.length * c)));
    return {
      coverage: c,
      threshold: kept[kept.length - 1]!.confidence,
      accuracy: kept.filter(right).length / kept.length,
    };
  });
  return { bins, coverage };
}
