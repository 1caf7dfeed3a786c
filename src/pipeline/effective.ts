// The effective classification of a report: a reviewer's correction wins over the automatic result.
import type { AutoClassification, Stance } from './types.ts';

export interface ReportCorrection {
  terms: string[];
  stance: Stance;
  by?: string;
  at?: string;
  note?: string;
}

export interface Effective {
  terms: string[];
  stance: Stance | null;
  confidence: number | null;
}

export function effectiveClassification(
  auto: AutoClassification | null,
  correction: ReportCorrection | null,
): Effective {
  // A person's decision is certain as far as the system is concerned.
  if (correction) return { terms: [...correction.terms], stance: correction.stance, confidence: 1 };
  if (!auto) return { terms: [], stance: null, confidence: null };
  // A learned model's reading carries one calibrated confidence for the whole decision (its terms and stance);
  // a lexicon-only result is as confident as its strongest term.
  const model = auto.model as { confidence?: unknown } | undefined;
  const confidence = typeof model?.confidence === 'number' ? model.confidence : (auto.terms[0]?.confidence ?? null);
  return { terms: auto.terms.map((t) => t.id), stance: auto.stance, confidence };
}

export const sameEffective = (a: Effective, b: { terms: string[]; stance: Stance | null }) =>
  a.stance === b.stance && a.terms.length === b.terms.length && a.terms.every((t, i) => t === b.terms[i]);
