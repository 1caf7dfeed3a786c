import { describe, expect, it } from 'vitest';
import { normalizeText, normalizeWithMap, originalSpan } from '../../../src/classify/normalize.ts';
import { detectLanguage } from '../../../src/classify/language.ts';

describe('Arabic normalisation', () => {
  it('drops diacritics and tatweel', () => {
    expect(normalizeText('لم يُرصَد')).toBe('لم يرصد');
    expect(normalizeText('قـــصف')).toBe('قصف');
  });
  it('folds alef/hamza forms, ta marbuta, alef maqsura, hamza on waw/ya', () => {
    expect(normalizeText('أإآٱ')).toBe('اااا');
    expect(normalizeText('مصراتة')).toBe(normalizeText('مصراته'));
    expect(normalizeText('مستشفى')).toBe('مستشفي');
    expect(normalizeText('مؤسسة')).toBe('موسسه');
    expect(normalizeText('قذائف')).toBe('قذايف');
  });
  it('folds the letters of Persian and Urdu keyboards into their Arabic twins', () => {
    // Farsi yeh and keheh look like ya and kaf; a writer on such a keyboard must meet the same lexicon and model.
    expect(normalizeText('تحرکات عسکریة فی سرت')).toBe(normalizeText('تحركات عسكرية في سرت'));
    expect(normalizeText('ھجوم ہنا')).toBe(normalizeText('هجوم هنا'));
    expect(normalizeText('ڤاغنر پ')).toBe('فاغنر ب');
    expect(normalizeText('ڪتيبہ ڥ ے ۃ')).toBe('كتيبه ف ي ه');
    expect(normalizeWithMap('عسکری').map).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('spells tcheh as the two letters Arabic writes for "ch", each mapped back to it', () => {
    // Folded to one letter (ج), "Chadians" typed with tcheh read as "serious" (جاديين).
    expect(normalizeText('مقاتلين چادیین')).toBe(normalizeText('مقاتلين تشاديين'));
    const src = 'چاد';
    const n = normalizeWithMap(src);
    expect(n.text).toBe('تشاد');
    expect(n.map).toEqual([0, 0, 1, 2, 3]);
    expect(originalSpan(n, 0, 4)).toEqual({ start: 0, end: 3 });
    expect(normalizeText('چ'.repeat(5000))).toBe('تش'.repeat(5000));
  });
  it('maps Arabic-Indic digits and punctuation', () => {
    expect(normalizeText('١٥ آلية، ؟')).toBe('15 اليه, ?');
  });
});

describe('English normalisation', () => {
  it('lowercases, splits hyphenated words and collapses spaces', () => {
    expect(normalizeText('  Al-Jufra   AIRBASE\n')).toBe('al jufra airbase');
    expect(normalizeText('“Wagner”—type')).toBe('"wagner"-type');
  });
  it('keeps a map back to original offsets', () => {
    const src = 'قـصفٌ on Al-Jufra';
    const n = normalizeWithMap(src);
    const i = n.text.indexOf('jufra');
    const span = originalSpan(n, i, i + 5);
    expect(src.slice(span.start, span.end)).toBe('Jufra');
    const a = originalSpan(n, 0, 3);
    expect(src.slice(a.start, a.end)).toBe('قـصف');
  });
});

describe('language detection', () => {
  it('tells Arabic from English, mixed text by majority', () => {
    expect(detectLanguage('اشتباكات في سبها')).toBe('ar');
    expect(detectLanguage('Clashes in Sabha')).toBe('en');
    expect(detectLanguage('رتل من 15 آلية قرب JMC')).toBe('ar');
    expect(detectLanguage('')).toBe('en');
  });
});
