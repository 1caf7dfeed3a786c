// A small pattern language for lexicon files, compiled to Unicode regexes over normalised text.
//   tokens are separated by spaces and must follow each other;  `~N` allows up to N words in between;
//   `*` after letters is a stem (any letters may follow); `|` outside parentheses separates phrases; a token starting with `?` may be glued to the previous one ("gun ?fire");  `#` is a number;
//   anything else in a token is regex (e.g. `(re)?open(ed|s)?`).
// Arabic tokens are normalised like the text and accept the usual proclitics (و ف ب ل ك ال), so the
// lexicon lists "طريق" and it matches "الطريق", "بالطريق", "والطريق".
import { normalizeText } from './normalize.ts';
import { hasArabic } from './language.ts';

const PROCLITIC = '(?:[وف])?(?:[بلك])?(?:ال|ل)?';
const B_START = '(?<![\\p{L}\\p{N}])';
const B_END = '(?![\\p{L}\\p{N}])';

function compileToken(raw: string): string {
  const arabic = hasArabic(raw);
  const tok = (arabic ? normalizeText(raw) : raw).replace(/\*/g, '[\\p{L}\\p{N}]*').replace(/#/g, '\\d+(?:[.,]\\d+)?');
  // Indefinite accusative nouns carry a written alef ("لغماً", "جسماً"): a bare Arabic word accepts it.
  return arabic
    ? `${PROCLITIC}(?:${tok})${/[\u0621-\u0626\u0628-\u0648\u064A]\)?$/u.test(tok) ? 'ا?' : ''}`
    : `(?:${tok})`;
}

/** Split at a separator outside parentheses: "a b|c" is the phrase "a b" or the phrase "c". */
function splitTopLevel(pattern: string, sep: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of pattern) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth === 0 && sep.test(ch)) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

export function compilePatternSource(pattern: string): string {
  // Regex alternation takes the first phrase that matches, so longer phrases go first ("unexploded mortar" before "unexploded").
  const phrases = splitTopLevel(pattern, /\|/).sort(
    (a, b) => splitTopLevel(b, /\s/).length - splitTopLevel(a, /\s/).length || b.length - a.length,
  );
  return `${B_START}(?:${phrases.map(compileSequence).join('|')})${B_END}`;
}

function compileSequence(phrase: string): string {
  const parts = splitTopLevel(phrase, /\s/);
  let src = '';
  let pendingGap = 0;
  let first = true;
  for (const p of parts) {
    const gap = /^~(\d+)$/.exec(p);
    if (gap) {
      pendingGap = Number(gap[1]);
      continue;
    }
    // "gun ?fire": a token starting with "?" may follow without a space.
    const optionalSpace = p.startsWith('?');
    const tok = compileToken(optionalSpace ? p.slice(1) : p);
    if (first) src += tok;
    // A quoted word still follows ("urged listeners to 'kill ...'", "يصفهم بانهم 'اجانب'").
    else
      src += (pendingGap > 0 ? `(?:\\s+\\S+){0,${pendingGap}}\\s+["']?` : optionalSpace ? '\\s?' : '\\s+["\']?') + tok;
    pendingGap = 0;
    first = false;
  }
  return src;
}

export function compilePattern(pattern: string): RegExp {
  return new RegExp(compilePatternSource(pattern), 'gu');
}

export interface Span {
  start: number;
  end: number;
}

export function findAll(re: RegExp, text: string): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/**
 * Literal strings one of which must occur for the pattern to match, or null when some phrase has no
 * mandatory literal of 3+ letters. Lets the classifier skip most regexes with a cheap `includes`.
 */
export function literalTriggers(pattern: string): string[] | null {
  const out: string[] = [];
  for (const phrase of splitTopLevel(pattern, /\|/)) {
    const req = requirement(hasArabic(phrase) ? normalizeText(phrase) : phrase);
    if (!req) return null;
    out.push(...req);
  }
  return out;
}

/** Longest mandatory literal run of a regex fragment, or the alternatives of a mandatory group. */
function requirement(src: string): string[] | null {
  let best = '';
  let group: string[] | null = null;
  let run = '';
  const flush = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '(') {
      flush();
      const open = i;
      let depth = 1;
      while (depth > 0 && ++i < src.length) {
        if (src[i] === '(') depth++;
        else if (src[i] === ')') depth--;
      }
      const optional = src[i + 1] === '?' || src[i + 1] === '*';
      if (optional) {
        i++;
        continue;
      }
      if (!group) {
        const inner = src.slice(open + 1, i).replace(/^\?[:=!<]+/, '');
        const alts = splitTopLevel(inner, /\|/).map((a) => requirement(a));
        if (alts.every((a) => a && a.every((x) => x.length >= 3))) group = alts.flat() as string[];
      }
      continue;
    }
    if (/[\p{L}\p{N}]/u.test(ch)) {
      if (src[i + 1] === '?') {
        flush();
        i++;
        continue;
      }
      run += ch;
      if (src[i + 1] === '*') {
        flush();
        i++;
      }
      continue;
    }
    flush();
  }
  flush();
  if (best.length >= 3) return [best];
  return group;
}
