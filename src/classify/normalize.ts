// Text normalisation for matching (en + ar). Every output character keeps the index of the original
// character it came from, so evidence found in normalised text maps back to exact narrative offsets.

export interface NormalizedText {
  text: string;
  /** map[i] = index in the original string of normalised char i; map[text.length] = original length. */
  map: number[];
}

// Harakat, dagger alef, Quranic marks, tatweel, zero-width characters: dropped.
const isDropped = (c: number) => (c >= 0x064B && c <= 0x065F) || c === 0x0670 || (c >= 0x06D6 && c <= 0x06ED) || c === 0x0640 || (c >= 0x200B && c <= 0x200F) || c === 0xFEFF;
const REPLACE: Record<string, string> = {
  'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ة': 'ه', 'ؤ': 'و', 'ئ': 'ي',
  '،': ',', '؛': ';', '؟': '?', '‘': "'", '’': "'", '`': "'", '“': '"', '”': '"', '«': '"', '»': '"',
  '–': '-', '—': '-', '\u00A0': ' ',
};
for (let d = 0; d < 10; d++) {
  REPLACE[String.fromCharCode(0x0660 + d)] = String(d); // Arabic-Indic digits
  REPLACE[String.fromCharCode(0x06F0 + d)] = String(d); // Eastern Arabic-Indic digits
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const isLetterOrDigit = (c: string | undefined) => !!c && LETTER_OR_DIGIT.test(c);
const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u2028' || c === '\u2029' || c === '\u3000' || c === '\u202F';

/**
 * Lowercases, folds Arabic letter variants (alef/hamza forms, ta marbuta, alef maqsura), drops diacritics
 * and tatweel, maps Arabic digits to ASCII, turns word-internal hyphens and slashes into spaces
 * ("Al-Jufra" → "al jufra", "سرت-مصراتة" → "سرت مصراته") and collapses whitespace.
 */
export function normalizeWithMap(input: string): NormalizedText {
  let text = '';
  const map: number[] = [];
  for (let i = 0; i < input.length; i++) {
    let c = input[i];
    if (isDropped(input.charCodeAt(i))) continue;
    c = REPLACE[c] ?? c;
    if ((c === '-' || c === '/' || c === '_') && isLetterOrDigit(input[i - 1]) && isLetterOrDigit(input[i + 1])) c = ' ';
    if (isSpace(c)) {
      if (text.length === 0 || text.endsWith(' ')) continue;
      c = ' ';
    } else {
      const lower = c.toLowerCase();
      if (lower.length === 1) c = lower;
    }
    text += c;
    map.push(i);
  }
  if (text.endsWith(' ')) { text = text.slice(0, -1); map.pop(); }
  map.push(input.length);
  return { text, map };
}

export function normalizeText(input: string): string {
  return normalizeWithMap(input).text;
}

/** Original [start, end) span for a normalised [start, end) span. */
export function originalSpan(n: NormalizedText, start: number, end: number): { start: number; end: number } {
  const s = n.map[start];
  const e = end > start ? n.map[end - 1] + 1 : s;
  return { start: s, end: e };
}
