// Learning from the commission: the corrections members save become labeled examples; a scheduled job trains a
// candidate on the corpus plus the older corrections, scores it and the model in use on the newest corrections
// (which neither was trained on), and promotes it only when it is not worse on either measure. Every candidate is
// kept with its scores and the decision is audited, so a model in use can always be traced to what justified it.
import type { Agreement } from '../agreements/index.ts';
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import { appendAudit } from '../audit/index.ts';
import { loadCorpus, type CorpusRow } from '../classify/model/corpus.ts';
import { finalClassifier, prepare, type TrainingRow } from '../classify/model/train.ts';
import { decodeModel, encodeModel, modelPredict, type ClassifierModel } from '../classify/model/model.ts';
import { loadClassifierModel, setClassifierModel, shippedClassifierModel } from '../classify/model/index.ts';
import { classifyWithRules } from '../classify/classifier.ts';
import { scoreClassification } from '../eval/metrics.ts';
import { correctionExamples, insertModelVersion, promotedModel } from './repository.ts';

export interface RetrainDeps {
  db: Db;
  clock: Clock;
  agreement: Agreement;
  corpus?: CorpusRow[];
}
export interface HeldOutScore {
  termMicroF1: number;
  stanceAccuracy: number;
  count: number;
}
export interface RetrainResult {
  status: 'promoted' | 'refused' | 'skipped';
  reason: string;
  version?: string;
  current?: HeldOutScore;
  candidate?: HeldOutScore;
}

/** Fewer corrections than this, and there is nothing to learn from nor to judge a candidate on. */
export const MIN_CORRECTIONS = 20;
/** The newest share of corrections is held out to judge the candidate. */
export const HELD_OUT_SHARE = 0.25;

/** Scores a model on labeled rows: term micro-F1 and stance accuracy, as `npm run eval` counts them. */
export function scoreModel(model: ClassifierModel, rows: TrainingRow[], agreement: Agreement): HeldOutScore {
  const items = rows.map((r) => {
    const { result, evidence } = classifyWithRules(
      { narrative: r.narrative, placeName: r.placeName ?? null, partyAlleged: r.partyAlleged ?? null },
      agreement,
    );
    const p = modelPredict(model, {
      text: result.normalizedText,
      placeName: r.placeName,
      partyAlleged: r.partyAlleged,
      rules: evidence,
    });
    return { goldTerms: r.labels.terms, predTerms: p.terms, goldStance: r.labels.stance, predStance: p.stance };
  });
  const s = scoreClassification(items);
  return { termMicroF1: s.microF1, stanceAccuracy: s.stanceAccuracy, count: rows.length };
}

/** The gate: a candidate replaces the model in use only if it is at least as good on both measures. */
export const notWorse = (candidate: HeldOutScore, current: HeldOutScore) =>
  candidate.termMicroF1 >= current.termMicroF1 && candidate.stanceAccuracy >= current.stanceAccuracy;

/** Trains a candidate on the corpus plus `extra` rows, with the calibration of the model it would replace. */
export function trainWith(
  corpus: TrainingRow[],
  extra: TrainingRow[],
  agreement: Agreement,
  current: ClassifierModel,
): ClassifierModel {
  const cal = {
    termTemperature: current.terms.temperature,
    stanceTemperature: current.stance.temperature,
    termThreshold: current.termThreshold,
  };
  // Features hashed into the buckets the candidate is trained with (this release's), not the current model's: a model
  // promoted under an earlier release may have other buckets, and mixing the two leaves the candidate's bias untrained.
  return decodeModel(encodeModel(finalClassifier(prepare([...corpus, ...extra], agreement), agreement, cal)));
}

export async function retrainFromCorrections(deps: RetrainDeps): Promise<RetrainResult> {
  const { db, agreement } = deps;
  const shipped = shippedClassifierModel(agreement.id);
  if (!shipped) return { status: 'skipped', reason: `agreement ${agreement.id} has no model to improve on` };
  const stored = await promotedModel(db, agreement.id, shipped.version);
  const current = stored ? decodeModel(Buffer.from(stored.weights)) : shipped;
  const examples = (await correctionExamples(db)).filter((e) =>
    e.labels.terms.every((t) => current.terms.labels.includes(t)),
  );
  if (examples.length < MIN_CORRECTIONS)
    return { status: 'skipped', reason: `${examples.length} corrections, fewer than ${MIN_CORRECTIONS}` };
  const cut = examples.length - Math.max(1, Math.round(examples.length * HELD_OUT_SHARE));
  const train = examples.slice(0, cut);
  const heldOut = examples.slice(cut);
  const candidate = trainWith(deps.corpus ?? loadCorpus(), train, agreement, current);
  const scores = {
    current: scoreModel(current, heldOut, agreement),
    candidate: scoreModel(candidate, heldOut, agreement),
  };
  const promote = notWorse(scores.candidate, scores.current);
  const now = deps.clock.now();
  // Encoded (gzip level 9 of a few megabytes) before the transaction opens: the audit chain's lock is held meanwhile.
  const weights = encodeModel(candidate);
  await db.$transaction(
    async (tx) => {
      const id = await insertModelVersion(tx, {
        agreementId: agreement.id,
        version: candidate.version,
        weights,
        corrections: train.length,
        heldOut: heldOut.length,
        metrics: { ...scores, replaces: current.version, shipped: shipped.version },
        promoted: promote,
        promotedAt: promote ? now : null,
      });
      await appendAudit(
        tx,
        {
          actorId: null,
          actorName: 'system',
          action: promote ? 'model_promoted' : 'model_refused',
          entityType: 'model_version',
          entityId: id,
          before: { version: current.version, ...scores.current },
          after: {
            version: candidate.version,
            ...scores.candidate,
            corrections: train.length,
            heldOut: heldOut.length,
          },
        },
        deps.clock,
      );
    },
    // Writing a few megabytes of weights, possibly queued behind other writers of the audit chain.
    { timeout: 60_000 },
  );
  if (promote) setClassifierModel(agreement.id, candidate);
  return {
    status: promote ? 'promoted' : 'refused',
    reason: promote
      ? 'not worse on the held-out corrections'
      : 'worse than the model in use on the held-out corrections',
    version: candidate.version,
    ...scores,
  };
}

/**
 * The model this process should classify with: the newest one promoted on top of this release's shipped model, when it
 * differs from what is loaded.
 * Workers call it now and then (another worker process may have promoted a model); cheap: one indexed read.
 */
export async function refreshActiveModel(db: Db, agreementId: string): Promise<string | null> {
  const shipped = shippedClassifierModel(agreementId);
  const row = shipped ? await promotedModel(db, agreementId, shipped.version) : null;
  if (!row) return null;
  const loaded = loadClassifierModel(agreementId);
  if (loaded?.version !== row.version) setClassifierModel(agreementId, decodeModel(Buffer.from(row.weights)));
  return row.version;
}
