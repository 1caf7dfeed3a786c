// Anchored matching: the same matches as scanning a whole text with a regex, found by trying the regex only
// where a match can start. A match of a lexicon pattern starts with its first token, whose literal lies a few
// characters from the start ("طريق" after at most four proclitic letters); the literal's occurrences (one
// Aho–Corasick pass, literals.ts) give the few start positions worth trying with a sticky copy of the regex.
// The analysis is sound or nothing: any construct it does not understand leaves the regex scanning the text.
import { findAll, type Span } from './patterns.ts';
import type { LiteralIndex } from './literals.ts';

/** Some literal of `literals` occurs at match start + [lo, hi] (code units). */
export interface Anchor {
  literals: string[];
  lo: number;
  hi: number;
}

interface Len {
  min: number;
  max: number;
}
/** `bounded`: every match starts where the regex's word-start lookbehind holds (B_START below). */
interface Seq {
  len: Len;
  anchors: Anchor[] | null;
  bounded: boolean;
}

class Unsupported extends Error {}

// One-character atoms may be a surrogate pair under the `u` flag: one or two code units.
const CHAR: Len = { min: 1, max: 2 };
const ZERO: Len = { min: 0, max: 0 };
const SYNTAX = '^$\\.*+?()[]{}|/-,=!<>:\'"';
// 0 × ∞ is 0 here: a zero-width or zero-times item adds no length.
const times = (a: number, b: number) => (a === 0 || b === 0 ? 0 : a * b);
const LITERAL_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };

const B_START = '(?<![\\p{L}\\p{N}])';

/**
 * Anchors of a regex source (every match is anchored by one of them), or null when it cannot be told; and
 * whether every match starts after a character that is not a letter or digit.
 */
export function analyse(source: string): { anchors: Anchor[] | null; bounded: boolean } {
  try {
    const p = new Parser(source);
    const s = p.alternation();
    if (p.i !== source.length) return { anchors: null, bounded: false };
    return { anchors: s.anchors, bounded: s.bounded };
  } catch (e) {
    if (e instanceof Unsupported) return { anchors: null, bounded: false };
    throw e;
  }
}

class Parser {
  i = 0;
  constructor(private readonly src: string) {}

  private fail(): never {
    throw new Unsupported(this.src);
  }

  alternation(): Seq {
    const alts = [this.sequence()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    if (alts.length === 1) return alts[0];
    const len = { min: Math.min(...alts.map((a) => a.len.min)), max: Math.max(...alts.map((a) => a.len.max)) };
    return {
      len,
      anchors: alts.every((a) => a.anchors) ? alts.flatMap((a) => a.anchors!) : null,
      bounded: alts.every((a) => a.bounded),
    };
  }

  private sequence(): Seq {
    const len: Len = { min: 0, max: 0 };
    const candidates: Anchor[][] = [];
    let run = '';
    let runAt: Len = { ...len };
    let bounded = false;
    let first = true;
    const flush = () => {
      if (run) candidates.push([{ literals: [run], lo: runAt.min, hi: runAt.max }]);
      run = '';
    };
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const from = this.i;
      const atom = this.atom();
      const q = this.quantifier();
      if (first) bounded = !q && (this.src.slice(from, this.i) === B_START || atom.bounded === true);
      first = false;
      const itemLen = q ? { min: times(atom.len.min, q.min), max: times(atom.len.max, q.max) } : atom.len;
      if (atom.literal !== undefined && !q) {
        if (!run) runAt = { ...len };
        run += atom.literal;
      } else {
        flush();
        if (!q && atom.anchors && Number.isFinite(len.max))
          candidates.push(atom.anchors.map((a) => ({ literals: a.literals, lo: a.lo + len.min, hi: a.hi + len.max })));
      }
      len.min += itemLen.min;
      len.max += itemLen.max;
    }
    flush();
    const usable = candidates.filter((c) => c.every((a) => Number.isFinite(a.hi)));
    // The longest shortest literal: the fewest occurrences to try.
    const score = (c: Anchor[]) => Math.min(...c.flatMap((a) => a.literals.map((l) => l.length)));
    const best = usable.reduce<Anchor[] | null>((b, c) => (!b || score(c) > score(b) ? c : b), null);
    return { len, anchors: best, bounded };
  }

  private quantifier(): Len | null {
    const c = this.src[this.i];
    let q: Len | null = null;
    if (c === '?') q = { min: 0, max: 1 };
    else if (c === '*') q = { min: 0, max: Infinity };
    else if (c === '+') q = { min: 1, max: Infinity };
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) this.fail();
      this.i += m[0].length - 1;
      q = { min: Number(m[1]), max: m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]) };
    }
    if (!q) return null;
    this.i++;
    if (this.src[this.i] === '?') this.i++; // lazy: same lengths
    return q;
  }

  private atom(): { len: Len; literal?: string; anchors?: Anchor[] | null; bounded?: boolean } {
    const c = this.src[this.i];
    if (c === '(') return this.group();
    if (c === '[') {
      this.charClass();
      return { len: CHAR };
    }
    if (c === '.') {
      this.i++;
      return { len: CHAR };
    }
    if (c === '^' || c === '$') {
      this.i++;
      return { len: ZERO };
    }
    if (c === '\\') return this.escape();
    if ('*+?{}]'.includes(c)) this.fail();
    const cp = this.src.codePointAt(this.i)!;
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return { len: { min: ch.length, max: ch.length }, literal: ch };
  }

  private group(): { len: Len; anchors?: Anchor[] | null; bounded?: boolean } {
    this.i++;
    let lookaround = false;
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (/^\?<?[=!]/.test(this.src.slice(this.i, this.i + 3))) {
      lookaround = true;
      this.i += this.src[this.i + 1] === '<' ? 3 : 2;
    } else if (this.src.startsWith('?<', this.i)) {
      const end = this.src.indexOf('>', this.i);
      if (end < 0) this.fail();
      this.i = end + 1;
    } else if (this.src[this.i] === '?') this.fail();
    const inner = this.alternation();
    if (this.src[this.i] !== ')') this.fail();
    this.i++;
    return lookaround ? { len: ZERO } : inner;
  }

  private charClass(): void {
    this.i++;
    if (this.src[this.i] === '^') this.i++;
    if (this.src[this.i] === ']') this.i++;
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      if (this.src[this.i] === '\\') this.i++;
      if (this.src[this.i] === '[') this.fail(); // set notation (v flag) is not ours
      this.i++;
    }
    if (this.src[this.i] !== ']') this.fail();
    this.i++;
  }

  private escape(): { len: Len; literal?: string } {
    const e = this.src[this.i + 1];
    if (e === undefined) this.fail();
    this.i += 2;
    if (e === 'p' || e === 'P') {
      const end = this.src.indexOf('}', this.i);
      if (this.src[this.i] !== '{' || end < 0) this.fail();
      this.i = end + 1;
      return { len: CHAR };
    }
    if ('dDsSwW'.includes(e)) return { len: CHAR };
    if (e === 'b' || e === 'B') return { len: ZERO };
    if (SYNTAX.includes(e)) return { len: { min: 1, max: 1 }, literal: e };
    if (LITERAL_ESCAPES[e]) return { len: { min: 1, max: 1 }, literal: LITERAL_ESCAPES[e] };
    return this.fail();
  }
}

/** A regex (global, unicode) with the anchors that let it be tried only where a match can start. */
export interface AnchoredRegex {
  re: RegExp;
  sticky: RegExp;
  anchors: Anchor[] | null;
  /** Every match starts at a word start: candidates after a letter or digit need not be tried. */
  bounded: boolean;
  /** `sticky` lacks the leading word-start lookbehind, which findAllAnchored checks instead. */
  boundaryInJs: boolean;
  /** Anchor literal id in the owner's literal index → offsets [lo, hi, lo, hi, …] of that literal from a match start. */
  offsets?: Map<number, number[]>;
}

export function anchored(re: RegExp): AnchoredRegex {
  const analysis = analyse(re.source);
  const bare = analysis.bounded ? withoutLeadingBoundary(re.source) : null;
  return { re, sticky: new RegExp(withoutCaptures(bare ?? re.source), 'uy'), boundaryInJs: bare !== null, ...analysis };
}

/**
 * The source without the word-start lookbehind that opens each of its top-level alternatives, or null when
 * some alternative does not open with it. V8 evaluates that lookbehind (a Unicode property class read
 * backwards) on every attempt; one character test in JavaScript does the same.
 */
function withoutLeadingBoundary(source: string): string | null {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(source.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(source.slice(from));
  return parts.every((p) => p.startsWith(B_START)) ? parts.map((p) => p.slice(B_START.length)).join('|') : null;
}

/**
 * The source with capturing groups made non-capturing: only the match's extent is used, and without
 * captures V8 neither saves group positions while matching nor builds their substrings on a hit.
 * Sources with backreferences or named groups are left as they are.
 */
export function withoutCaptures(source: string): string {
  if (/\\[1-9k]|\(\?<[^=!]/.test(source)) return source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') inClass = true;
    out += c === '(' && source[i + 1] !== '?' ? '(?:' : c;
  }
  return out;
}

/** Every literal an anchored regex looks up, for the literal index of its owner. */
export const anchorLiterals = (a: AnchoredRegex) => (a.anchors ?? []).flatMap((x) => x.literals);

/** Resolve the anchor literals against the index that will scan the texts (once, when the owner is built). */
export function bindAnchors(a: AnchoredRegex, index: LiteralIndex): AnchoredRegex {
  if (!a.anchors) return a;
  const offsets = new Map<number, number[]>();
  for (const { literals, lo, hi } of a.anchors) {
    for (const lit of literals) {
      const id = index.id(lit);
      if (id === undefined) throw new Error(`anchor literal "${lit}" missing from the literal index`);
      offsets.set(id, [...(offsets.get(id) ?? []), lo, hi]);
    }
  }
  a.offsets = offsets;
  return a;
}

const isTrail = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const isLead = (c: number) => c >= 0xd800 && c <= 0xdbff;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
// Per BMP character: 0 not yet known, 1 letter or digit, 2 neither. Surrogates are left to the regex.
const wordChar = new Uint8Array(65536);
function isWordChar(c: number): boolean {
  let k = wordChar[c];
  if (k === 0) wordChar[c] = k = LETTER_OR_DIGIT.test(String.fromCharCode(c)) ? 1 : 2;
  return k === 1;
}

/** What `(?<![\p{L}\p{N}])` (u flag) says at `p`: the code point before is not a letter or digit. */
function startsWord(text: string, p: number): boolean {
  if (p === 0) return true;
  const before = text.charCodeAt(p - 1);
  if (isTrail(before) && p >= 2 && isLead(text.charCodeAt(p - 2)))
    return !LETTER_OR_DIGIT.test(String.fromCodePoint(text.codePointAt(p - 2)!));
  return !isWordChar(before);
}

function addStarts(starts: number[], at: number[], range: number[]): void {
  for (let r = 0; r < range.length; r += 2)
    for (const q of at) for (let p = Math.max(0, q - range[r + 1]); p <= q - range[r]; p++) starts.push(p);
}

/**
 * The spans `findAll(a.re, text)` returns: leftmost matches, each search resuming at the previous end.
 * `found` is the scan of `text` by the literal index `a` was bound to.
 */
export function findAllAnchored(a: AnchoredRegex, text: string, found: Map<number, number[]>): Span[] {
  const offsets = a.offsets;
  if (!offsets) {
    if (a.anchors) throw new Error('anchored regex used before bindAnchors');
    return findAll(a.re, text);
  }
  const starts: number[] = [];
  // Whichever is shorter: the regex's literals (a cue has a few) or those found (a gazetteer has hundreds).
  if (offsets.size <= found.size) {
    for (const [id, range] of offsets) {
      const at = found.get(id);
      if (at) addStarts(starts, at, range);
    }
  } else {
    for (const [id, at] of found) {
      const range = offsets.get(id);
      if (range) addStarts(starts, at, range);
    }
  }
  if (starts.length === 0) return [];
  starts.sort((x, y) => x - y);
  const out: Span[] = [];
  const re = a.sticky;
  let from = 0;
  let prev = -1;
  for (const p of starts) {
    if (p === prev || p < from) continue;
    prev = p;
    // A global unicode scan never starts inside a surrogate pair.
    if (p > 0) {
      const before = text.charCodeAt(p - 1);
      if (isLead(before) && isTrail(text.charCodeAt(p))) continue;
      if (a.bounded && !isLead(before) && !isTrail(before) && isWordChar(before)) continue;
    }
    if (a.boundaryInJs && !startsWord(text, p)) continue;
    re.lastIndex = p;
    const m = re.exec(text);
    if (m === null) continue;
    const end = p + m[0].length;
    // Anchored patterns consume their literal, so a match is never empty.
    out.push({ start: p, end });
    from = end;
  }
  return out;
}
