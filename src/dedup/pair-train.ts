// Training the pair model on the labeled corpus and choosing its thresholds by replaying each held-out group
// through the same assignment the workers run (candidate blocking, best match, merges): a threshold is judged by
// the incidents it produces, not by how it scores pairs in isolation.
import { createHash } from 'node:crypto';
import { resolvePlace } from '../classify/places.ts';
import type { Agreement } from '../agreements/index.ts';
import type { ClassifyResult } from '../classify/classifier.ts';
import type { ModelReading } from '../classify/classify.ts';
import { candidateQuery, decideAssignment } from './dedup.ts';
import { extractFeatures, type ReportFeatures } from './features.ts';
import { createMemoryStore } from './memory-store.ts';
import { pairVector, PAIR_FEATURES } from './pair.ts';
import { trainPairWeights, type PairExample, type PairModel } from './pair-model.ts';

export interface DedupRow {
  id: string;
  group: string;
  incident: string;
  lang: 'en' | 'ar';
  observedAt: string;
  lat: number | null;
  lon: number | null;
  placeName: string | null;
  narrative: string;
  partyAlleged: string | null;
  attachmentHashes?: string[];
  /** The row's classification as the workers would have it (for training: predicted without seeing the row). */
  classification: ClassifyResult & { model?: ModelReading };
}

export interface DedupPrepared {
  row: DedupRow;
  features: ReportFeatures;
}

const WINDOW_H = 48;
const HOUR = 3_600_000;

export function dedupFeatures(rows: DedupRow[], agreement: Agreement): DedupPrepared[] {
  return rows.map((row) => ({
    row,
    features: extractFeatures(
      {
        observedAt: row.observedAt,
        lat: row.lat,
        lon: row.lon,
        placeName: row.placeName,
        narrative: row.narrative,
        partyAlleged: row.partyAlleged,
        attachmentHashes: row.attachmentHashes,
      },
      row.classification,
      resolvePlace({ lat: row.lat, lon: row.lon, placeName: row.placeName }),
      { timeZone: agreement.timezone, gazetteer: agreement.gazetteer },
    ),
  }));
}

/** Every pair of reports of one group observed within 48 h of each other, labeled by the gold incident. */
export function pairExamples(data: DedupPrepared[]): PairExample[] {
  const out: PairExample[] = [];
  const byGroup = new Map<string, DedupPrepared[]>();
  for (const d of data) {
    const g = byGroup.get(d.row.group);
    if (g) g.push(d);
    else byGroup.set(d.row.group, [d]);
  }
  for (const group of [...byGroup.keys()].sort()) {
    const list = byGroup
      .get(group)!
      .slice()
      .sort((a, b) => Date.parse(a.row.observedAt) - Date.parse(b.row.observedAt) || a.row.id.localeCompare(b.row.id));
    for (let i = 0; i < list.length; i++) {
      const ti = Date.parse(list[i]!.row.observedAt);
      for (let j = i - 1; j >= 0; j--) {
        if (ti - Date.parse(list[j]!.row.observedAt) > WINDOW_H * HOUR) break;
        out.push({
          x: pairVector(list[i]!.features, list[j]!.features).vector,
          y: list[i]!.row.incident === list[j]!.row.incident ? 1 : 0,
        });
      }
    }
  }
  return out;
}

/** Replays one group in observed order through blocking and assignment; returns the predicted incident per row. */
export function replayGroup(data: DedupPrepared[], model: PairModel): Map<string, string> {
  const store = createMemoryStore();
  const ordered = data
    .slice()
    .sort((a, b) => Date.parse(a.row.observedAt) - Date.parse(b.row.observedAt) || a.row.id.localeCompare(b.row.id));
  const opts = { pairModel: model };
  for (const d of ordered) {
    // The memory store answers synchronously behind its promise; replay stays a plain loop for the threshold search.
    const candidates = store.findCandidatesNow(candidateQuery(d.features, opts));
    const a = decideAssignment(d.features, candidates, opts);
    const id = a.incidentId ?? store.createIncident(d.row.id, d.features);
    if (a.incidentId) store.addReport(a.incidentId, d.row.id, d.features);
    for (const other of a.merge ?? []) store.merge(other, id);
  }
  return new Map(data.map((d) => [d.row.id, store.incidentOf(d.row.id)!]));
}

/** Pairwise counts of a clustering against the gold incidents. */
export function pairCounts(
  data: DedupPrepared[],
  predicted: Map<string, string>,
): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < data.length; i++) {
    for (let j = i + 1; j < data.length; j++) {
      const g = data[i]!.row.incident === data[j]!.row.incident;
      const p = predicted.get(data[i]!.row.id) === predicted.get(data[j]!.row.id);
      if (g && p) tp++;
      else if (p) fp++;
      else if (g) fn++;
    }
  }
  return { tp, fp, fn };
}

export interface PairTraining {
  model: PairModel;
  search: Array<{ threshold: number; mergeThreshold: number; precision: number; recall: number; f1: number }>;
}

const THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9];
/** The precision dedup must keep on held-out groups: a wrong join hides an incident from the commission. */
export const MIN_PRECISION = 0.97;

/**
 * Weights from all pairs; thresholds from grouped replays (each group assigned by weights fitted without it): the
 * highest pooled F1 whose pooled precision stays at MIN_PRECISION or above; merges need a firmer tie than joins.
 */
export function trainPairModel(data: DedupPrepared[], opts: { groups?: (g: string) => boolean } = {}): PairTraining {
  const groups = [...new Set(data.map((d) => d.row.group))].sort();
  const held = new Map<string, number[]>();
  for (const g of groups) held.set(g, trainPairWeights(pairExamples(data.filter((d) => d.row.group !== g))));
  const search: PairTraining['search'] = [];
  for (const threshold of THRESHOLDS) {
    for (const mergeThreshold of [threshold + 0.1, threshold + 0.2, 1.01].filter((m) => m <= 1.01)) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const g of groups) {
        if (opts.groups && !opts.groups(g)) continue;
        const part = data.filter((d) => d.row.group === g);
        const model = stub(held.get(g)!, threshold, mergeThreshold);
        const c = pairCounts(part, replayGroup(part, model));
        tp += c.tp;
        fp += c.fp;
        fn += c.fn;
      }
      const precision = tp + fp ? tp / (tp + fp) : 1;
      const recall = tp + fn ? tp / (tp + fn) : 1;
      search.push({
        threshold,
        mergeThreshold: Math.round(mergeThreshold * 100) / 100,
        precision,
        recall,
        f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
      });
    }
  }
  const ok = search.filter((s) => s.precision >= MIN_PRECISION);
  const best = (ok.length ? ok : search).reduce((a, b) => (b.f1 > a.f1 + 1e-12 ? b : a));
  const examples = pairExamples(data);
  const digest = createHash('sha256');
  for (const d of data) digest.update(`${d.row.group}/${d.row.id}/${d.row.incident}\n`);
  return {
    model: {
      ...stub(trainPairWeights(examples), best.threshold, best.mergeThreshold),
      trainedOn: {
        pairs: examples.length,
        positives: examples.filter((e) => e.y === 1).length,
        dataSha256: digest.digest('hex'),
      },
    },
    search,
  };
}

const stub = (weights: number[], threshold: number, mergeThreshold: number): PairModel => ({
  features: [...PAIR_FEATURES],
  weights,
  threshold,
  mergeThreshold,
  trainedOn: { pairs: 0, positives: 0, dataSha256: '' },
});
