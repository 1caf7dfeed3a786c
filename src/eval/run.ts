// Runs the worker's own pipeline (classify → resolve place → features → candidates → decideAssignment)
// over a labeled file on a fresh in-memory store, then scores it. Reports go in observedAt order by default;
// in the field they arrive as observers get signal, so `order` can replay them as filed or shuffled too.
import { classify, type Classification } from '../classify/classify.ts';
import { loadPairModel } from '../dedup/pair-model.ts';
import { loadAgreement, DEFAULT_AGREEMENT_ID } from '../agreements/index.ts';
import { locatedFeatures, type ReportFeatures } from '../dedup/features.ts';
import { candidateQuery, decideAssignment, type Assignment, type DedupOptions } from '../dedup/dedup.ts';
import { createMemoryStore } from '../dedup/memory-store.ts';
import { scoreClassification, scoreDedup, type ClassificationScore, type DedupScore } from './metrics.ts';
import type { LabeledReport } from './dataset.ts';

export interface EvalResult {
  classification: ClassificationScore & { perLanguage: { en: ClassificationScore; ar: ClassificationScore } };
  dedup: DedupScore;
}
export interface EvalTrace {
  id: string;
  classification: Classification;
  features: ReportFeatures;
  assignment: Assignment;
  incidentId: string;
}

/** 'observed': by observedAt; 'file': as the file lists them; a number: shuffled with that seed. */
export type ArrivalOrder = 'observed' | 'file' | number;

export function arrivalOrder<T extends { observedAt: string; id: string }>(reports: T[], order: ArrivalOrder): T[] {
  if (order === 'file') return [...reports];
  if (order === 'observed')
    return [...reports].sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt) || a.id.localeCompare(b.id));
  // Fisher–Yates with a small LCG: the same seed replays the same arrival order.
  const out = [...reports];
  let x = order >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function runEval(
  reports: LabeledReport[],
  opts: { agreementId?: string; dedup?: DedupOptions; order?: ArrivalOrder; trace?: (t: EvalTrace) => void } = {},
): Promise<EvalResult> {
  const agreement = loadAgreement(opts.agreementId ?? DEFAULT_AGREEMENT_ID);
  const dedup: DedupOptions = { pairModel: loadPairModel(agreement.id), ...opts.dedup };
  const store = createMemoryStore();
  const ordered = arrivalOrder(reports, opts.order ?? 'observed');
  const predicted = new Map<string, { terms: string[]; stance: string; incident: string }>();
  for (const r of ordered) {
    // Only what an observer submits goes in; r.labels and r.lang stay out of the pipeline.
    const input = { narrative: r.narrative, placeName: r.placeName ?? null, partyAlleged: r.partyAlleged ?? null };
    const classification = classify(input, agreement);
    // Located as the workers locate it (pipeline/analyzer.ts): an out-of-area or swapped point gives way first.
    const { features } = locatedFeatures(
      {
        ...input,
        observedAt: r.observedAt,
        lat: r.lat,
        lon: r.lon,
        attachmentHashes: r.attachmentHashes,
      },
      classification,
      agreement,
    );
    const candidates = await store.findCandidates(candidateQuery(features, dedup));
    const assignment = decideAssignment(features, candidates, dedup);
    const incidentId = assignment.incidentId ?? store.createIncident(r.id, features);
    if (assignment.incidentId) store.addReport(assignment.incidentId, r.id, features);
    for (const other of assignment.merge ?? []) store.merge(other, incidentId);
    predicted.set(r.id, {
      terms: classification.terms.map((t) => t.id),
      stance: classification.stance,
      incident: incidentId,
    });
    opts.trace?.({ id: r.id, classification, features, assignment, incidentId });
  }
  const items = (subset: LabeledReport[]) =>
    subset.map((r) => {
      const p = predicted.get(r.id)!;
      return { goldTerms: r.labels.terms, predTerms: p.terms, goldStance: r.labels.stance, predStance: p.stance };
    });
  return {
    classification: {
      ...scoreClassification(items(reports)),
      perLanguage: {
        en: scoreClassification(items(reports.filter((r) => r.lang === 'en'))),
        ar: scoreClassification(items(reports.filter((r) => r.lang === 'ar'))),
      },
    },
    // Incidents merged away since a report was placed: every report counts where it ended up.
    dedup: scoreDedup(
      reports.map((r) => ({ id: r.id, lang: r.lang, gold: r.labels.incident, pred: store.incidentOf(r.id)! })),
    ),
  };
}
