// What the workers and the eval run per report: the lexicon's reading (evidence spans, signals for dedup, and the
// features the model reads) and, when the agreement has a trained model, the model's decision on top of it. The
// rules alone are near perfect on the texts they were written from and fall 10-25 points on new writers; the model
// reads the same cues plus words, word pairs and character n-grams, so it carries over to writers the rules never saw.
import type { Agreement } from '../agreements/index.ts';
import { classifyWithRules, type ClassifyInput, type ClassifyResult } from './classifier.ts';
import { loadClassifierModel, modelPredict } from './model/index.ts';

export interface ModelReading {
  /** `<agreement>@<hash>` of the model file, or `rules` when the agreement has none. */
  version: string;
  termProbs: Record<string, number>;
  stanceProbs: Record<string, number>;
  /** Calibrated: the lower of the chosen terms' and stance's probabilities. */
  confidence: number;
  /** Below the model's review threshold: a reviewer should confirm the terms and stance. */
  needsReview: boolean;
  /** What the lexicon alone decided, kept so a reviewer (and the eval) can compare. */
  rules: { terms: string[]; stance: string };
}

export type Classification = ClassifyResult & { model: ModelReading };

type AgreementRef = Pick<Agreement, 'id'> & { gazetteer?: string };

export function classify(input: ClassifyInput, agreement: AgreementRef): Classification {
  const { result, evidence } = classifyWithRules(input, agreement);
  const rules = { terms: result.terms.map((t) => t.id), stance: result.stance };
  const model = loadClassifierModel(agreement.id);
  if (!model) {
    const confidence = Math.min(result.stanceConfidence, ...result.terms.map((t) => t.confidence));
    return {
      ...result,
      model: { version: 'rules', termProbs: {}, stanceProbs: {}, confidence, needsReview: false, rules },
    };
  }
  const p = modelPredict(model, {
    text: result.normalizedText,
    placeName: input.placeName,
    partyAlleged: input.partyAlleged,
    rules: evidence,
  });
  // Evidence spans come from the lexicon's matches for a term both agree on; a term only the model found has none.
  const byId = new Map(result.terms.map((t) => [t.id, t]));
  return {
    ...result,
    terms: p.terms.map((id) => ({ id, confidence: p.termProbs[id]!, evidence: byId.get(id)?.evidence ?? [] })),
    stance: p.stance,
    stanceConfidence: p.stanceProbs[p.stance],
    stanceEvidence: p.stance === result.stance ? result.stanceEvidence : [],
    model: {
      version: model.version,
      termProbs: p.termProbs,
      stanceProbs: p.stanceProbs,
      confidence: p.confidence,
      needsReview: p.needsReview,
      rules,
    },
  };
}
