// Text normalisation for matching (en + ar). Every output character keeps the index of the original
// character it came from, so evidence found in normalised text maps back to exact narrative offsets.

export interface NormalizedText {
  text: string;
  /** map[i] = index in the original string of normalised char i; map[text.length] = original length. */
  map: number[];
}

// Harakat, dagger alef, Quranic marks, tatweel, zero-width characters: dropped.
const isDropped = (c: number) =>
  (c >= 0x064b && c <= 0x065f) ||
  c === 0x0670 ||
  (c >= 0x06d6 && c <= 0x06ed) ||
  c === 0x0640 ||
  (c >= 0x200b && c <= 0x200f) ||
  c === 0xfeff;
const REPLACE: Record<string, string> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ى: 'ي',
  ة: 'ه',
  ؤ: 'و',
  ئ: 'ي',
  // Letters of Persian and Urdu keyboards that writers of Arabic type for their Arabic twins (Farsi yeh, keheh, the
  // heh forms; peh and veh for the Latin sounds of loanwords): one letter each, as the lexicon spells it. Tcheh is
  // two letters (TCHEH below).
  ی: 'ي',
  ک: 'ك',
  ھ: 'ه',
  ہ: 'ه',
  ۀ: 'ه',
  ە: 'ه',
  پ: 'ب',
  ڤ: 'ف',
  ڥ: 'ف',
  ڪ: 'ك',
  ے: 'ي',
  ۃ: 'ه',
  '،': ',',
  '؛': ';',
  '؟': '?',
  '‘': "'",
  '’': "'",
  '`': "'",
  '“': '"',
  '”': '"',
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '\u00A0': ' ',
};
for (let d = 0; d < 10; d++) {
  REPLACE[String.fromCharCode(0x0660 + d)] = String(d); // Arabic-Indic digits
  REPLACE[String.fromCharCode(0x06f0 + d)] = String(d); // Eastern Arabic-Indic digits
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const isLetterOrDigit = (c: string | undefined) => !!c && LETTER_OR_DIGIT.test(c);
const SPACE = 32;
const isSpace = (c: number) =>
  c === SPACE ||
  c === 10 ||
  c === 9 ||
  c === 13 ||
  c === 12 ||
  c === 11 ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x3000 ||
  c === 0x202f;

// Each code unit's normal form, worked out once per distinct unit (replacement, then lowercase when that
// stays one unit): per character the hot loop does one table read instead of a lookup and a toLowerCase.
const FOLDED = new Int32Array(65536).fill(-1);
function fold(c: number): number {
  let f = FOLDED[c];
  if (f < 0) {
    const ch = String.fromCharCode(c);
    const r = REPLACE[ch] ?? ch;
    const lower = r.toLowerCase();
    FOLDED[c] = f = (lower.length === 1 ? lower : r).charCodeAt(0);
  }
  return f;
}
// Tcheh (چ) is the "ch" of Chad and Czech, which Arabic spells تش (تشاد); folded to ج it made چادیین "serious"
// (جاديين) instead of Chadians. The one fold that writes two letters, both mapped to the tcheh's offset.
const TCHEH = 0x0686;
const TEH = 0x062a;
const SHEEN = 0x0634;
const HYPHEN = 45;
const SLASH = 47;
const UNDERSCORE = 95;

/**
 * Lowercases, folds Arabic letter variants (alef/hamza forms, ta marbuta, alef maqsura, the letters of Persian and
 * Urdu keyboards, tcheh as تش), drops diacritics
 * and tatweel, maps Arabic digits to ASCII, turns word-internal hyphens and slashes into spaces
 * ("Al-Jufra" → "al jufra", "سرت-مصراتة" → "سرت مصراته") and collapses whitespace.
 */
export function normalizeWithMap(input: string): NormalizedText {
  // Room for every tcheh's second letter; the scan costs nothing next to the loop below.
  const out = new Uint16Array(input.includes('چ') ? 2 * input.length : input.length);
  const map: number[] = [];
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (isDropped(code)) continue;
    if (code === TCHEH) {
      out[n++] = TEH;
      map.push(i);
      out[n++] = SHEEN;
      map.push(i);
      continue;
    }
    // Lowercasing never makes or unmakes a space or a joiner, so the folded unit answers both tests.
    let c = fold(code);
    if (
      (c === HYPHEN || c === SLASH || c === UNDERSCORE) &&
      isLetterOrDigit(input[i - 1]) &&
      isLetterOrDigit(input[i + 1])
    )
      c = SPACE;
    if (isSpace(c)) {
      if (n === 0 || out[n - 1] === SPACE) continue;
      c = SPACE;
    }
    out[n++] = c;
    map.push(i);
  }
  if (n > 0 && out[n - 1] === SPACE) {
    n--;
    map.pop();
  }
  map.push(input.length);
  return { text: decode(out, n), map };
}

function decode(units: Uint16Array, n: number): string {
  let text = '';
  for (let i = 0; i < n; i += 4096)
    text += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 4096)) as unknown as number[]);
  return text;
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
