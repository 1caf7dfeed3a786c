// Features of a report for the learned term and stance models: what generalises to writers and sources the
// lexicon never saw. Words (light-stemmed, en + ar), word pairs, character n-grams inside words (spelling
// variants, dialect, typos, transliteration), words under negation marked as such, the lexicon's and gazetteer's
// hits (RuleEvidence), numbers and the observer's structured fields. Hashed into a fixed number of buckets,
// so a model is a plain weight array and no vocabulary has to be stored.
import type { RuleEvidence } from '../classifier.ts';

export interface SparseVector {
  index: Int32Array;
  value: Float32Array;
}

export interface FeatureInput {
  /** Normalised narrative (classify/normalize.ts). */
  text: string;
  placeName?: string | null;
  partyAlleged?: string | null;
  rules: RuleEvidence;
}

export interface Word {
  w: string;
  s: string;
  neg: boolean;
}

/** A report's base features, and its words for the term-context features the stance model adds. */
export interface ReportText {
  words: Word[];
  base: SparseVector;
}

/**
 * 2^bits buckets. 2^20: with word, pair, character n-gram, skeleton and per-term context features of 12,000 reports,
 * 2^18 buckets made unrelated features share weights; held out on the same folds, 2^20 gave stance 0.907 -> 0.912
 * (field) and 0.830 -> 0.838 (published), terms +0.001 to +0.002. Its cost: a 4 MB weights file, about 78 MiB of
 * arrays for a decoded model (20 at 2^18), and a few cache misses more per report.
 */
export const DEFAULT_BITS = 20;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units: fast, deterministic, good enough spread for feature hashing. */
export function hash32(s: string, h = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

const TOKEN = /[\p{L}\p{N}]+|[.;:!?,()]/gu;
const PUNCT = /^[.;:!?,()]$/;
const ARABIC = /[\u0600-\u06FF]/;

// Negators of both languages and Libyan dialect; the next few words until punctuation read as negated.
const NEGATORS = new Set([
  'no',
  'not',
  'never',
  'without',
  'none',
  'nor',
  'nothing',
  'nobody',
  'neither',
  'cannot',
  'didn',
  'doesn',
  'isn',
  'wasn',
  'weren',
  'aren',
  'hasn',
  'haven',
  'hadn',
  'won',
  'couldn',
  'nsr',
  'nstr',
  'nil',
  'absence',
  'denied',
  'denies',
  'deny',
  'لا',
  'لم',
  'لن',
  'ما',
  'مش',
  'ماش',
  'موش',
  'مافيش',
  'مفيش',
  'بدون',
  'دون',
  'غير',
  'ليس',
  'ليست',
  'لايوجد',
  'عدم',
  'نفى',
  'نفت',
  'ينفي',
  'تنفي',
  'ولا',
  // Libyan negation typed in Arabizi.
  'mish',
  'mush',
  'mosh',
  'mafish',
  'mafeesh',
  'mafi',
  'mafamash',
  'mafammash',
]);
const NEG_SCOPE = 3;

const AR_PREFIXES = ['وال', 'بال', 'كال', 'فال', 'لل', 'ال', 'و', 'ف', 'ب', 'ل', 'ك'];
const AR_SUFFIXES = ['هما', 'ها', 'هم', 'هن', 'كم', 'نا', 'ات', 'ون', 'ين', 'ان', 'يه', 'وا', 'ه', 'ي'];

/** Light stemming: proclitics and common suffixes off Arabic words, plural/tense endings off English ones. */
export function stem(token: string): string {
  if (ARABIC.test(token)) {
    let t = token;
    for (const p of AR_PREFIXES)
      if (t.startsWith(p) && t.length - p.length >= 3) {
        t = t.slice(p.length);
        break;
      }
    for (const s of AR_SUFFIXES)
      if (t.endsWith(s) && t.length - s.length >= 3) {
        t = t.slice(0, -s.length);
        break;
      }
    return t;
  }
  if (token.length <= 3 || /\d/.test(token)) return token;
  for (const s of ['ments', 'ment', 'ings', 'ing', 'ions', 'ion', 'ies', 'ied', 'ers', 'er', 'ed', 'es', 'ly', 's']) {
    if (token.endsWith(s) && token.length - s.length >= 3)
      return s === 'ies' || s === 'ied' ? `${token.slice(0, -3)}y` : token.slice(0, -s.length);
  }
  return token;
}

/**
 * Accumulates hashed features in a small open-addressed table (a report touches about five hundred buckets of
 * 2^20; a dense array of 2^20 sums would cost a cache miss per feature, and the weights a report is scored with
 * need the cache more), then emits them sorted by bucket, log-scaled and L2-normalised, with the bias last. Each
 * bucket's sum is added in the order the features came, so the vector is the same to the bit as a dense sum's.
 */
// A bag takes the spare table when there is one and hands it back, emptied, from `vector()`: a bag dropped half
// built (a report whose features threw) keeps its table, so no later report ever reads another's leftovers, and
// two bags alive at once each have their own.
interface Table {
  keys: Int32Array;
  sums: Float64Array;
  order: Int32Array;
}
/** Where bucket `k` is first looked for in a table of `slots + 1` slots (then the next ones, in turn). */
const home = (k: number, slots: number) => (Math.imul(k, 0x9e3779b1) >>> 0) & slots;
const newTable = (slots: number): Table => ({
  keys: new Int32Array(slots).fill(-1),
  sums: new Float64Array(slots),
  order: new Int32Array(slots / 2),
});
export class Bag {
  private static spare: Table | null = null;
  private keys: Int32Array;
  private sums: Float64Array;
  private order: Int32Array;
  private n = 0;
  constructor(private readonly mask: number) {
    const t = Bag.spare ?? newTable(2048);
    Bag.spare = null;
    this.keys = t.keys;
    this.sums = t.sums;
    this.order = t.order;
  }
  addHash(h: number, v: number): void {
    const i = h & this.mask;
    const slots = this.keys.length - 1;
    let at = home(i, slots);
    while (this.keys[at] !== i) {
      if (this.keys[at] === -1) {
        if (2 * (this.n + 1) > this.keys.length) {
          this.grow();
          return this.addHash(h, v);
        }
        this.keys[at] = i;
        this.order[this.n++] = at;
        break;
      }
      at = (at + 1) & slots;
    }
    // A sum that lands exactly on 0 stays listed as a tiny one (as the features were always computed).
    this.sums[at] = this.sums[at]! + v || 1e-12;
  }
  /** Twice the slots: re-insert what is there (the sums move with their keys, unchanged). */
  private grow(): void {
    const { keys, sums, order } = newTable(this.keys.length * 2);
    const slots = keys.length - 1;
    for (let j = 0; j < this.n; j++) {
      const from = this.order[j]!;
      const k = this.keys[from]!;
      let at = home(k, slots);
      while (keys[at] !== -1) at = (at + 1) & slots;
      keys[at] = k;
      sums[at] = this.sums[from]!;
      order[j] = at;
    }
    this.keys = keys;
    this.sums = sums;
    this.order = order;
  }
  add(name: string, v = 1): void {
    this.addHash(hash32(name), v);
  }
  /** The feature `prefix + a` (prefix given as its hash): the same bucket, without making the string. */
  addAfter(prefix: number, a: string, v = 1): void {
    this.addHash(hash32(a, prefix), v);
  }
  /** The feature `prefix + a + "_" + b`, likewise. */
  addPair(prefix: number, a: string, b: string, v = 1): void {
    this.addHash(hash32(b, Math.imul(hash32(a, prefix) ^ 95 /* _ */, FNV_PRIME) >>> 0), v);
  }
  vector(bias = true): SparseVector {
    // Buckets sorted, each found again in the table (a probe or two in a table that sits in the cache).
    const n = this.n;
    const sorted = new Int32Array(n);
    for (let j = 0; j < n; j++) sorted[j] = this.keys[this.order[j]!]!;
    sorted.sort();
    const slots = this.keys.length - 1;
    const extra = bias ? 1 : 0;
    const index = new Int32Array(n + extra);
    const value = new Float32Array(n + extra);
    let norm = 0;
    for (let j = 0; j < n; j++) {
      const k = sorted[j]!;
      let at = home(k, slots);
      while (this.keys[at] !== k) at = (at + 1) & slots;
      const c = this.sums[at]!;
      index[j] = this.keys[at]!;
      this.sums[at] = 0;
      this.keys[at] = -1;
      const v = Math.sign(c) * Math.log1p(Math.abs(c));
      value[j] = v;
      norm += v * v;
    }
    this.n = 0;
    // Every slot this bag used is empty again: the table can serve the next report.
    Bag.spare = { keys: this.keys, sums: this.sums, order: this.order };
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < n; j++) value[j] = value[j]! * scale;
    // A constant feature in the last slot: the bias, learned like any weight (index = mask + 1 is never hashed to).
    if (bias) {
      index[n] = this.mask + 1;
      value[n] = 1;
    }
    return { index, value };
  }
}

const CHAR_PREFIX = hash32('c:');

/** Character n-grams (3 to 5) of `#word#`, hashed straight from the code units: no substring is made. */
function addCharGrams(bag: Bag, w: string, v: number): void {
  const L = w.length + 2;
  for (let k = 0; k + 3 <= L; k++) {
    let h = CHAR_PREFIX;
    for (let n = 0; n < 5 && k + n < L; n++) {
      const at = k + n;
      h = Math.imul(h ^ (at === 0 || at === L - 1 ? 35 /* # */ : w.charCodeAt(at - 1)), FNV_PRIME);
      if (n >= 2) bag.addHash(Math.imul(h ^ n, FNV_PRIME) >>> 0, v);
    }
  }
}

/**
 * Arabizi (Libyan Arabic typed in Latin letters, digits standing for the letters Latin lacks: 3 ع, 7 ح, 9 ق, 5 خ)
 * and Arabic script meet on a consonant skeleton: "tari9" and "الطريق" are both t-r-q, "7ashd" and "حشد" H-c-d. Long
 * and short vowels, hamza and the emphatic/plain pairs a Latin keyboard cannot tell apart (ط/ت, ص/س, ض/د) fold
 * together, so the weights the model learns from the Arabic-script corpus also reach a writer who types Arabizi.
 */
// Letters not listed (alef, waw, ya, hamza forms) are vowels or glides here and give nothing.
const AR_SKELETON: Record<string, string> = {
  ب: 'b',
  ت: 't',
  ط: 't',
  ث: 't',
  ج: 'j',
  ح: 'H',
  خ: 'x',
  د: 'd',
  ض: 'd',
  ذ: 'd',
  ظ: 'd',
  ر: 'r',
  ز: 'z',
  س: 's',
  ص: 's',
  ش: 'c',
  ع: '3',
  غ: 'G',
  ف: 'f',
  ق: 'q',
  ڨ: 'q',
  ك: 'k',
  گ: 'q',
  ل: 'l',
  م: 'm',
  ن: 'n',
  ه: 'h',
};
const LATIN_SKELETON: Record<string, string> = {
  b: 'b',
  p: 'b',
  t: 't',
  '6': 't',
  j: 'j',
  '7': 'H',
  '5': 'x',
  d: 'd',
  r: 'r',
  z: 'z',
  s: 's',
  '3': '3',
  f: 'f',
  v: 'f',
  q: 'q',
  '9': 'q',
  g: 'q',
  k: 'k',
  c: 'k',
  l: 'l',
  m: 'm',
  n: 'n',
  h: 'h',
};
const LATIN_DIGRAPHS: Record<string, string> = { sh: 'c', ch: 'c', kh: 'x', gh: 'G', th: 't', dh: 'd' };
const AR_ARTICLE = /^(?:[وفبك]?ال|لل)(?=..)/;
// The article glued onto its word, as the Arabic side's ال and لل: "el"/"al" (also after w, f, b: "welsoug"), "lel",
// "lil", "il"; only before a consonant other than l ("ballghu" keeps its b-l-G) and at least three more letters.
const LATIN_ARTICLE = /^(?:(?:w|f|b)?[ae]l|l[ie]l|il)(?=[b-df-hjkmnp-tv-z235679][a-z\d]{3})/;
const LATIN_FINAL_HA = /(?<=[a-z\d]{2}[aei])h$/;

function latinSkeleton(w: string): string {
  let k = '';
  for (let i = 0; i < w.length; i++) {
    const two = LATIN_DIGRAPHS[w.slice(i, i + 2)];
    if (two) {
      k += two;
      i++;
    } else k += LATIN_SKELETON[w[i]!] ?? '';
  }
  return k.replace(/(.)\1+/g, '$1');
}

/** The consonant skeleton of an Arabic-script or Arabizi word ('' when it has fewer than two consonants). */
export function consonantSkeleton(word: string): string {
  let k = '';
  if (ARABIC.test(word)) {
    const w = word.replace(AR_ARTICLE, '');
    for (let i = 0; i < w.length; i++) {
      const c = w[i]!;
      // A final ha is the normalised ta marbuta (or a vowel ending), not a consonant.
      if (c === 'ه' && i === w.length - 1) continue;
      k += AR_SKELETON[c] ?? '';
    }
    k = k.replace(/(.)\1+/g, '$1');
  } else {
    // The article typed onto its word ("elmataar") and a final vowel-ha ("mantiqah") are dropped, as the Arabic side
    // drops the article and a final ha; a word that would keep fewer than two consonants keeps its own.
    k = latinSkeleton(word.replace(LATIN_ARTICLE, '').replace(LATIN_FINAL_HA, ''));
    if (k.length < 2) k = latinSkeleton(word);
  }
  return k.length >= 2 ? k : '';
}

// A Latin word with a digit standing for a letter ("3and", "ta7arokat", "tari9"), with a vowel: not a designator
// ("MQ9", "TB2", "RPG7", "SPG9"), nor a count with its unit, a time, an ordinal or a sitrep abbreviation ("7th", "6am",
// "9km", "3KIA", "2WIA", "3vehs", "2IC", French "2eme").
const ARABIZI_WORD = /^(?:[a-z]*[a-z][235679][a-z]*|[235679][a-z]{2,})$/;
const NOT_ARABIZI =
  /^\d+(?:st|nd|rd|th|am|pm|h|hr|hrs|km|kms|kg|mm|cm|ft|x|k|m|s|min|mins|kia|wia|pax|veh|vehs|bn|ic|rds|e|er|eme|ieme|nde)$/;
const VOWEL = /[aeiou]/;
const ARABIZI_FUNCTION = new Set([
  'w',
  'el',
  'fi',
  'ya',
  'mta3',
  'fama',
  'famma',
  'illi',
  'elli',
  'tawa',
  'towa',
  '3la',
  'lel',
  'fel',
]);

/** Whether a report's Latin words are Arabizi: two words with letter digits, or one beside an Arabizi function word. */
export function isArabizi(ws: readonly Word[]): boolean {
  let digits = 0;
  let functionWords = 0;
  for (const { w } of ws) {
    if (w.length >= 3 && ARABIZI_WORD.test(w) && !NOT_ARABIZI.test(w) && VOWEL.test(w)) digits++;
    else if (ARABIZI_FUNCTION.has(w)) functionWords++;
    if (digits >= 2 || (digits >= 1 && functionWords >= 1)) return true;
  }
  return false;
}

const MAX_TOKENS = 400;
// Half a word's weight: a skeleton is coarser than the word it comes from (root-like: several words share one).
const SKELETON_WEIGHT = 0.5;

/** The words of a normalised text with their stems and whether a negator governs them. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  let scope = 0;
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    if (PUNCT.test(t)) {
      scope = 0;
      continue;
    }
    if (NEGATORS.has(t)) {
      scope = NEG_SCOPE;
      out.push({ w: t, s: t, neg: false });
      continue;
    }
    out.push({ w: t, s: stem(t), neg: scope > 0 });
    if (scope > 0) scope--;
    if (out.length >= MAX_TOKENS) break;
  }
  return out;
}

const W = hash32('w:');
const NEG = hash32('n:');
const BIGRAM = hash32('b:');

const bucketOf = (x: number) => (x <= 0 ? '0' : x < 0.5 ? 'lo' : x < 1.5 ? 'mid' : x < 3 ? 'hi' : 'vhi');

export function reportFeatures(input: FeatureInput, bits = DEFAULT_BITS): ReportText {
  const bag = new Bag((1 << bits) - 1);
  const ws = words(input.text);
  const arabizi = isArabizi(ws);
  for (let i = 0; i < ws.length; i++) {
    const { w, s, neg } = ws[i]!;
    bag.addAfter(neg ? NEG : W, s);
    if (/^\d+$/.test(w)) {
      bag.add(w.length >= 3 ? 'num:big' : 'num:small');
      continue;
    }
    const next = ws[i + 1];
    if (next) bag.addPair(BIGRAM, s, next.s);
    // Character n-grams of the word as written: shared by spelling variants, dialect forms and typos.
    addCharGrams(bag, w, 0.3);
    if (arabizi || ARABIC.test(w)) {
      const k = consonantSkeleton(w);
      if (k) bag.add(`k:${k}`, SKELETON_WEIGHT);
    }
  }
  if (input.placeName)
    for (const t of input.placeName.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) bag.add(`p:${stem(t)}`);
  bag.add(`party:${input.partyAlleged ?? 'none'}`);
  const r = input.rules;
  // The rules as features: which terms they scored and how strongly, under negation or not, the none cues,
  // the stance cue sums, the concepts they recognised, and whether the report is placed abroad.
  for (const [t, v] of Object.entries(r.termScores)) {
    bag.add(`rt:${t}`, 2 * Math.min(v, 4));
    bag.add(`rtb:${t}:${bucketOf(v)}`, 2);
  }
  for (const [t, v] of Object.entries(r.negatedTermScores)) bag.add(`rn:${t}`, 2 * Math.min(v, 4));
  if (r.noneScore > 0) {
    bag.add('rnone', 2 * Math.min(r.noneScore, 4));
    bag.add(`rnoneb:${bucketOf(r.noneScore)}`, 2);
  }
  for (const [k, v] of Object.entries(r.stanceSums))
    if (v > 0) {
      bag.add(`rs:${k}`, 2 * Math.min(v, 4));
      bag.add(`rsb:${k}:${bucketOf(v)}`, 2);
    }
  for (const c of r.concepts) bag.add(`rc:${c}`, 2);
  for (const c of r.negatedConcepts) bag.add(`rcn:${c}`, 2);
  if (r.foreignPlace) bag.add(r.libyanPlace ? 'place:both' : 'place:foreign', 2);
  else if (r.libyanPlace) bag.add('place:libya', 2);
  return { words: ws, base: bag.vector() };
}

/**
 * Words read in the light of the report's terms, for the stance model: the same word weighs differently per term
 * ("left" is a departure of foreign fighters, but a unit that left its camp may be moving to the front).
 */
export function termContextFeatures(
  ws: Word[],
  rules: RuleEvidence,
  terms: string[],
  bits = DEFAULT_BITS,
): SparseVector {
  const bag = new Bag((1 << bits) - 1);
  for (const t of terms) {
    bag.add(`t:${t}`, 2);
    const term = hash32(t);
    const [w, n, b] = [hash32('|w:', term), hash32('|n:', term), hash32('|b:', term)];
    for (let i = 0; i < ws.length; i++) {
      const { s, neg } = ws[i]!;
      bag.addAfter(neg ? n : w, s);
      const next = ws[i + 1];
      if (next) bag.addPair(b, s, next.s);
    }
    for (const [k, v] of Object.entries(rules.stanceSums)) if (v > 0) bag.add(`${t}|rs:${k}`, 2 * Math.min(v, 4));
  }
  return bag.vector(false);
}
