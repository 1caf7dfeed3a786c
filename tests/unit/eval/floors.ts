// Floor checks shared by the eval tests: one labeled file, run through the worker's pipeline, against
// per-file floors (overall and per language).
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseLabeledJsonl, runEval } from '../../../src/eval/index.ts';

export interface Floors {
  microF1: number;
  stance: number;
  langMicroF1: number;
  langStance: number;
  dedupF1: number;
  dedupPrecision?: number;
  crossLanguageRecall?: number;
}

export async function expectFloors(file: string | URL, f: Floors): Promise<void> {
  const r = await runEval(parseLabeledJsonl(readFileSync(file, 'utf8')));
  expect(r.classification.microF1).toBeGreaterThanOrEqual(f.microF1);
  expect(r.classification.stanceAccuracy).toBeGreaterThanOrEqual(f.stance);
  for (const lang of ['en', 'ar'] as const) {
    expect(r.classification.perLanguage[lang].microF1).toBeGreaterThanOrEqual(f.langMicroF1);
    expect(r.classification.perLanguage[lang].stanceAccuracy).toBeGreaterThanOrEqual(f.langStance);
  }
  expect(r.dedup.f1).toBeGreaterThanOrEqual(f.dedupF1);
  if (f.dedupPrecision !== undefined) expect(r.dedup.precision).toBeGreaterThanOrEqual(f.dedupPrecision);
  if (f.crossLanguageRecall !== undefined)
    expect(r.dedup.crossLanguageRecall).toBeGreaterThanOrEqual(f.crossLanguageRecall);
}
