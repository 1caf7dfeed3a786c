import { describe, expect, it } from 'vitest';
import { isRtlText, visualOrder } from '../../../src/digests/bidi.ts';

describe('PDF bidi step', () => {
  it('puts Arabic words right to left and keeps Latin runs and their figures left to right', () => {
    const words = 'الخروقات في Al-Jufra airbase 5 خلال 7 أيام'.split(' ');
    expect(visualOrder(words, 'rtl')).toEqual(['أيام', '7', 'خلال', 'Al-Jufra', 'airbase', '5', 'في', 'الخروقات']);
  });

  it('turns brackets around in right-to-left runs (fontkit reverses Arabic glyphs but does not mirror them)', () => {
    expect(visualOrder('+1 (جديد)'.split(' '), 'rtl')).toEqual([')جديد(', '+1']);
    expect(visualOrder('عودة (5 أيام)'.split(' '), 'rtl')).toEqual(['أيام(', '5)', 'عودة']);
  });

  it('keeps an English line in order, reversing only an Arabic island inside it', () => {
    expect(visualOrder('Shelling near سوق الجمعة today'.split(' '), 'ltr')).toEqual([
      'Shelling',
      'near',
      'الجمعة',
      'سوق',
      'today',
    ]);
    expect(visualOrder(['2021-01-23', '(5', 'days)'], 'ltr')).toEqual(['2021-01-23', '(5', 'days)']);
  });

  it('tells Arabic text from Latin', () => {
    expect(isRtlText('سرت')).toBe(true);
    expect(isRtlText('Sirte 12')).toBe(false);
  });
});
