// Scoring: per-term precision/recall/F1, micro/macro F1, stance accuracy, pairwise dedup P/R/F1 over
// same-incident pairs and cross-language duplicate recall. Pure functions over predictions and labels.

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}
export interface TermScore extends PRF {
  support: number;
  predicted: number;
}
export interface ClassificationScore {
  microF1: number;
  macroF1: number;
  stanceAccuracy: number;
  count: number;
  perTerm: Record<string, TermScore>;
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
export function prf(tp: number, fp: number, fn: number): PRF {
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: r4(precision), recall: r4(recall), f1: r4(f1) };
}

export interface ClassifiedItem {
  goldTerms: string[];
  predTerms: string[];
  goldStance: string;
  predStance: string;
}

/** Macro-F1 averages the terms that occur in the labels or the predictions of this set. */
export function scoreClassification(items: ClassifiedItem[]): ClassificationScore {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const c = (t: string) => {
    let x = counts.get(t);
    if (!x) counts.set(t, (x = { tp: 0, fp: 0, fn: 0 }));
    return x;
  };
  let stanceOk = 0;
  for (const it of items) {
    const gold = new Set(it.goldTerms);
    const pred = new Set(it.predTerms);
    for (const t of pred) {
      if (gold.has(t)) c(t).tp++;
      else c(t).fp++;
    }
    for (const t of gold) if (!pred.has(t)) c(t).fn++;
    if (it.goldStance === it.predStance) stanceOk++;
  }
  const perTerm: Record<string, TermScore> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [t, x] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    perTerm[t] = { ...prf(x.tp, x.fp, x.fn), support: x.tp + x.fn, predicted: x.tp + x.fp };
    tp += x.tp;
    fp += x.fp;
    fn += x.fn;
  }
  const f1s = Object.values(perTerm).map((s) => s.f1);
  return {
    microF1: prf(tp, fp, fn).f1,
    macroF1: f1s.length ? r4(f1s.reduce((a, b) => a + b, 0) / f1s.length) : 0,
    stanceAccuracy: items.length ? r4(stanceOk / items.length) : 0,
    count: items.length,
    perTerm,
  };
}

export interface DedupScore extends PRF {
  crossLanguageRecall: number;
  goldPairs: number;
  predictedPairs: number;
  crossLanguagePairs: number;
}

/** Pairwise clustering scores: a pair is positive when both reports share an incident. */
export function scoreDedup(items: Array<{ id: string; lang: string; gold: string; pred: string }>): DedupScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let xTotal = 0;
  let xFound = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i];
      const b = items[j];
      const g = a.gold === b.gold;
      const p = a.pred === b.pred;
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
      if (g && a.lang !== b.lang) {
        xTotal++;
        if (p) xFound++;
      }
    }
  }
  return {
    ...prf(tp, fp, fn),
    crossLanguageRecall: xTotal ? r4(xFound / xTotal) : 1,
    goldPairs: tp + fn,
    predictedPairs: tp + fp,
    crossLanguagePairs: xTotal,
  };
}
