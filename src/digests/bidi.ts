// A small bidi step for the PDF. pdfkit (through fontkit) shapes Arabic and lays each Arabic word out right to
// left, but a whole line mixing Arabic words, figures and Latin names comes out with spaces and words misplaced
// (seen when rendering the Arabic digest). So the PDF places words itself, in the order computed here.
// Enough for labels, names, figures and dates; not the full Unicode Bidirectional Algorithm.
const STRONG_RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
const STRONG_LTR = /[A-Za-z\u00C0-\u024F]/;

export type Direction = 'ltr' | 'rtl';

export function isRtlText(text: string): boolean {
  return STRONG_RTL.test(text);
}

/**
 * The words of one line (logical order) in visual order, left to right. Arabic words run right to left; a run
 * of Latin words, with the figures that follow them ("Route 5"), stays left to right; other figures and
 * punctuation take the line's direction. Each word is then drawn on its own: fontkit orders the letters of an Arabic word.
 */
export function visualOrder(words: string[], base: Direction): string[] {
  const runs: Array<{ dir: Direction; words: string[] }> = [];
  for (const word of words) {
    const last = runs[runs.length - 1];
    const dir: Direction = STRONG_RTL.test(word)
      ? 'rtl'
      : STRONG_LTR.test(word)
        ? 'ltr'
        : last?.dir === 'ltr'
          ? 'ltr'
          : base;
    if (last?.dir === dir) last.words.push(word);
    else runs.push({ dir, words: [word] });
  }
  const ordered = base === 'rtl' ? runs.reverse() : runs;
  return ordered.flatMap((r) => (r.dir === 'rtl' ? [...r.words].reverse().map(rtlWord) : r.words));
}

const MIRROR: Record<string, string> = {
  '(': ')',
  ')': '(',
  '[': ']',
  ']': '[',
  '{': '}',
  '}': '{',
  '«': '»',
  '»': '«',
};
const mirror = (s: string) => s.replace(/[()[\]{}«»]/g, (c) => MIRROR[c]);

/**
 * A word as drawn inside a right-to-left run. fontkit reverses an Arabic word's glyphs but does not mirror its
 * brackets, so they are swapped beforehand; a figure such as "(5" keeps its digits and moves its bracket across.
 */
function rtlWord(word: string): string {
  if (STRONG_RTL.test(word)) return mirror(word);
  const [, lead, core, trail] = /^([([{«]*)(.*?)([)\]}»]*)$/.exec(word)!;
  return mirror(trail) + core + mirror(lead);
}
