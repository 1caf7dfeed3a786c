import { describe, expect, it } from 'vitest';
import { prf, scoreClassification, scoreDedup } from '../../../src/eval/metrics.ts';
import { arrivalOrder } from '../../../src/eval/run.ts';

describe('classification metrics', () => {
  it('computes per-term P/R/F1, micro and macro F1 and stance accuracy on a hand-made fixture', () => {
    const s = scoreClassification([
      { goldTerms: ['hostilities'], predTerms: ['hostilities'], goldStance: 'violation', predStance: 'violation' },
      {
        goldTerms: ['hostilities', 'mines_uxo'],
        predTerms: ['hostilities'],
        goldStance: 'violation',
        predStance: 'information',
      },
      { goldTerms: ['none'], predTerms: ['road_opening'], goldStance: 'information', predStance: 'information' },
      { goldTerms: ['road_opening'], predTerms: ['road_opening'], goldStance: 'compliance', predStance: 'compliance' },
    ]);
    // hostilities tp2; mines fn1; none fn1; road tp1 fp1 → micro P 3/4, R 3/5, F1 = 2/3
    expect(s.perTerm.hostilities).toMatchObject({ precision: 1, recall: 1, f1: 1, support: 2 });
    expect(s.perTerm.mines_uxo).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(s.perTerm.road_opening).toMatchObject({ precision: 0.5, recall: 1, f1: 0.6667 });
    expect(s.microF1).toBe(0.6667);
    expect(s.macroF1).toBe(Math.round(((1 + 0 + 0 + 0.6667) / 4) * 10_000) / 10_000);
    expect(s.stanceAccuracy).toBe(0.75);
  });
  it('handles empty sets', () => {
    expect(prf(0, 0, 0)).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(scoreClassification([]).microF1).toBe(1);
  });
});

describe('dedup pair metrics', () => {
  it('scores same-incident pairs and cross-language recall', () => {
    const s = scoreDedup([
      { id: '1', lang: 'en', gold: 'A', pred: 'x' },
      { id: '2', lang: 'ar', gold: 'A', pred: 'x' },
      { id: '3', lang: 'ar', gold: 'A', pred: 'y' },
      { id: '4', lang: 'en', gold: 'B', pred: 'y' },
    ]);
    // gold pairs 12 13 23 (en/ar: 12, 13); predicted 12, 34 → tp 1, fp 1, fn 2
    expect(s).toMatchObject({
      precision: 0.5,
      recall: 0.3333,
      f1: 0.4,
      crossLanguageRecall: 0.5,
      goldPairs: 3,
      predictedPairs: 2,
      crossLanguagePairs: 2,
    });
  });
});

describe('arrival order of an evaluation run', () => {
  const reports = Array.from({ length: 30 }, (_, i) => ({
    id: `r${i}`,
    observedAt: new Date(Date.UTC(2020, 10, 1, 0, 29 - i)).toISOString(),
  }));
  it('replays reports by observedAt, as filed, or shuffled the same way for the same seed', () => {
    expect(arrivalOrder(reports, 'observed').map((r) => r.id)).toEqual(reports.map((r) => r.id).reverse());
    expect(arrivalOrder(reports, 'file')).toEqual(reports);
    const a = arrivalOrder(reports, 7);
    expect(arrivalOrder(reports, 7)).toEqual(a);
    expect(a).not.toEqual(reports);
    expect(arrivalOrder(reports, 8)).not.toEqual(a);
    expect([...a].sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [...reports].sort((x, y) => x.id.localeCompare(y.id)),
    );
  });
});
