import { describe, expect, it } from 'vitest';
import { formatEval, scoreClassification, scoreDedup } from '../../../src/eval/index.ts';

const item = (t: string, s: string) => ({ goldTerms: [t], predTerms: [t], goldStance: s, predStance: s });

describe('formatEval', () => {
  it('says a language with no reports and a file with no en/ar pairs have nothing to score', () => {
    const en = scoreClassification([item('hostilities', 'violation'), item('none', 'information')]);
    const text = formatEval({
      classification: { ...en, perLanguage: { en, ar: scoreClassification([]) } },
      dedup: scoreDedup([
        { id: 'a', lang: 'en', gold: 'i1', pred: 'x' },
        { id: 'b', lang: 'en', gold: 'i1', pred: 'x' },
      ]),
    });
    expect(text).toMatch(/ar\s+n=\s+0\s+\(no reports\)/);
    expect(text).not.toMatch(/ar\s+n=\s+0\s+micro-F1/);
    expect(text).toMatch(/en\s+n=\s+2\s+micro-F1 1\.000/);
    expect(text).toContain('cross-language duplicate recall: no en/ar pairs in this file');
  });
  it('prints the cross-language recall when there are en/ar pairs', () => {
    const s = scoreClassification([item('hostilities', 'violation')]);
    const text = formatEval({
      classification: { ...s, perLanguage: { en: s, ar: s } },
      dedup: scoreDedup([
        { id: 'a', lang: 'en', gold: 'i1', pred: 'x' },
        { id: 'b', lang: 'ar', gold: 'i1', pred: 'y' },
      ]),
    });
    expect(text).toContain('cross-language duplicate recall 0.000  (1 en/ar pairs)');
  });
});
