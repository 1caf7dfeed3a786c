// classify/model: learned term and stance models on top of the lexicon (which they read as features), one
// committed weights file per agreement (weights/<agreementId>.model.gz, made by `npm run train`).
import { existsSync, readFileSync } from 'node:fs';
import { decodeModel, type ClassifierModel } from './model.ts';

export {
  modelPredict,
  decideTerms,
  encodeModel,
  decodeModel,
  STANCES,
  NONE,
  type ClassifierModel,
  type ModelPrediction,
} from './model.ts';

export const modelFile = (agreementId: string) => new URL(`./weights/${agreementId}.model.gz`, import.meta.url);

const cache = new Map<string, ClassifierModel | null>();
const shipped = new Map<string, ClassifierModel | null>();

/** The model this release ships for the agreement (its weights file), whatever a process has swapped in since. */
export function shippedClassifierModel(agreementId: string): ClassifierModel | null {
  if (!shipped.has(agreementId)) {
    const file = modelFile(agreementId);
    shipped.set(agreementId, existsSync(file) ? decodeModel(readFileSync(file)) : null);
  }
  return shipped.get(agreementId)!;
}

/**
 * The model in use for the agreement: the shipped one, or one a promotion swapped in; null when it has none (its
 * reports are classified by the lexicon alone).
 */
export function loadClassifierModel(agreementId: string): ClassifierModel | null {
  if (!cache.has(agreementId)) cache.set(agreementId, shippedClassifierModel(agreementId));
  return cache.get(agreementId)!;
}

/**
 * Below this calibrated confidence a reading is a guess a reviewer should confirm (the model's own threshold, chosen
 * in training where held-out accuracy falls off); null when the agreement has no model (the lexicon's readings are
 * not calibrated, so nothing is marked).
 */
export function reviewThresholdOf(agreementId: string): number | null {
  return loadClassifierModel(agreementId)?.reviewThreshold ?? null;
}

/** Tests and the promotion job swap models in and out. */
export function setClassifierModel(agreementId: string, model: ClassifierModel | null): void {
  cache.set(agreementId, model);
}
