// The compact report syntax for SMS and satellite phones (README "SMS intake", docs/integrations-contract.md):
//
//   R <place | lat,lon> <party> <free text>          (keyword R, RPT or REPORT)
//   ب <المكان | خط العرض،خط الطول> <الطرف> <النص>     (keyword ب or بلاغ)
//
// The place is every word up to the party (or a quoted name, when it holds a party's word); coordinates are decimal
// degrees (comma, semicolon, slash or space between, N/S/E/W or a minus sign, ° optional) or degrees-minutes-seconds,
// in Western or Arabic-Indic digits with "." or "٫" as the decimal point. Matching folds case, Arabic letter variants
// and diacritics (the classifier's normalisation); the place and the text are kept as the observer typed them.
import { normalizeWithMap, originalSpan } from '../classify/normalize.ts';
import type { PARTIES } from '../reports/schema.ts';

export type Party = (typeof PARTIES)[number];
export type SmsLanguage = 'en' | 'ar';

export interface ParsedSms {
  language: SmsLanguage;
  placeName?: string;
  lat?: number;
  lon?: number;
  partyAlleged: Party;
  narrative: string;
}

export type SmsProblem = 'no_keyword' | 'no_location' | 'bad_coordinates' | 'no_party' | 'no_text';

export type SmsParse = { ok: true; report: ParsedSms } | { ok: false; problem: SmsProblem; language: SmsLanguage };

const KEYWORDS: Record<string, SmsLanguage> = { r: 'en', rpt: 'en', report: 'en', ب: 'ar', بلاغ: 'ar' };

// Party words as the normalisation writes them (lower case; ة→ه, أ/إ/آ→ا, ى→ي), one or two words each.
const PARTY_WORDS: Record<Party, string[]> = {
  LAAF: [
    'laaf',
    'lna',
    'haftar',
    'l',
    'جيش',
    'الجيش',
    'الجيش الوطني',
    'حفتر',
    'قوات حفتر',
    'الكرامه',
    'القياده العامه',
  ],
  GNA: ['gna', 'gnu', 'g', 'وفاق', 'الوفاق', 'قوات الوفاق', 'حكومه الوفاق', 'بركان الغضب', 'الحكومه'],
  foreign: ['foreign', 'f', 'merc', 'mercenaries', 'wagner', 'اجنبي', 'اجانب', 'الاجانب', 'مرتزقه', 'المرتزقه'],
  unknown: ['unknown', 'unk', 'u', 'x', '?', 'مجهول', 'غير معروف', 'غير معروفه'],
};
const PARTY_OF = new Map<string, Party>(
  Object.entries(PARTY_WORDS).flatMap(([party, words]) => words.map((w) => [w, party as Party])),
);

const NUM = String.raw`-?\d{1,3}(?:\.\d+)?`;
// Decimal degrees: "31.2,16.5", "31.2 16.5", "N31.2 E16.5", "31.2°N, 16.5°E", "-31.2/16.5".
const DECIMAL = new RegExp(
  String.raw`^(?:([ns])\s*)?(${NUM})\s*°?\s*([ns])?\s*(?:[,;]\s*|\s+)(?:([ew])\s*)?(${NUM})\s*°?\s*([ew])?(?=[\s,;]|$)`,
);
// Degrees, minutes and optional seconds with a hemisphere: 31°12'18"N 16°35'17"E, 31°12.3'N 16°35.2'E.
const DMS_PART = String.raw`(\d{1,3})\s*°\s*(\d{1,2}(?:\.\d+)?)\s*['′]\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:"|″|''))?\s*`;
const DMS = new RegExp(String.raw`^${DMS_PART}([ns])\s*[,;]?\s*${DMS_PART}([ew])(?=[\s,;]|$)`);

const TRAILING = /[,.:;]+$/;
const ARABIC = /[\u0600-\u06FF]/;

interface Token {
  /** Normalised, trailing punctuation removed. */
  word: string;
  start: number;
  end: number;
}

function tokenize(text: string, from: number): Token[] {
  const tokens: Token[] = [];
  for (const m of text.slice(from).matchAll(/\S+/g)) {
    const start = from + m.index;
    tokens.push({ word: m[0].replace(TRAILING, ''), start, end: start + m[0].length });
  }
  return tokens;
}

/** The party named at tokens[i] (one or two words) and how many words it took. */
function partyAt(tokens: Token[], i: number): { party: Party; words: number } | null {
  const two = tokens[i + 1] ? PARTY_OF.get(`${tokens[i]!.word} ${tokens[i + 1]!.word}`) : undefined;
  if (two) return { party: two, words: 2 };
  const one = tokens[i] ? PARTY_OF.get(tokens[i]!.word) : undefined;
  return one ? { party: one, words: 1 } : null;
}

function coordinates(rest: string): { lat: number; lon: number; length: number } | 'bad' | null {
  const d = DECIMAL.exec(rest);
  if (d) {
    const [, latPre, lat, latPost, lonPre, lon, lonPost] = d;
    const latHem = latPre ?? latPost;
    const lonHem = lonPre ?? lonPost;
    if ((latHem && lat!.startsWith('-')) || (lonHem && lon!.startsWith('-'))) return 'bad';
    return checked(Number(lat) * (latHem === 's' ? -1 : 1), Number(lon) * (lonHem === 'w' ? -1 : 1), d[0].length);
  }
  const m = DMS.exec(rest);
  if (m) {
    const deg = (d: string, min: string, sec: string | undefined) =>
      Number(d) + Number(min) / 60 + Number(sec ?? 0) / 3600;
    if (Number(m[2]) >= 60 || Number(m[6]) >= 60 || Number(m[3] ?? 0) >= 60 || Number(m[7] ?? 0) >= 60) return 'bad';
    return checked(
      deg(m[1]!, m[2]!, m[3]) * (m[4] === 's' ? -1 : 1),
      deg(m[5]!, m[6]!, m[7]) * (m[8] === 'w' ? -1 : 1),
      m[0].length,
    );
  }
  // Something that starts like a number but is no pair of coordinates: a typo, not a place.
  return /^[-+]?\d/.test(rest) ? 'bad' : null;
}

function checked(lat: number, lon: number, length: number) {
  if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) return 'bad' as const;
  // Six decimals (~0.1 m) is more than any phone's fix: the rest is float noise from minutes and seconds.
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { lat: round(lat), lon: round(lon), length };
}

export function parseSmsReport(raw: string): SmsParse {
  // The Arabic decimal separator, one unit for one: the normalisation's map to the original still holds.
  const n = normalizeWithMap(raw.replace(/\u066B/g, '.'));
  const original = (start: number, end: number) => {
    const span = originalSpan(n, start, end);
    return raw.slice(span.start, span.end).trim();
  };
  const tokens = tokenize(n.text, 0);
  const keyword = tokens[0] ? KEYWORDS[tokens[0].word] : undefined;
  const language: SmsLanguage = keyword ?? (ARABIC.test(raw) ? 'ar' : 'en');
  const fail = (problem: SmsProblem): SmsParse => ({ ok: false, problem, language });
  if (!keyword) return fail('no_keyword');
  const afterKeyword = tokens[0]!.end;
  const rest = n.text.slice(afterKeyword).trimStart();
  if (!rest) return fail('no_location');
  const restAt = n.text.length - rest.length;

  let location: { placeName?: string; lat?: number; lon?: number };
  let next: Token[];
  const coords = coordinates(rest);
  if (coords === 'bad') return fail('bad_coordinates');
  if (coords) {
    location = { lat: coords.lat, lon: coords.lon };
    next = tokenize(n.text, restAt + coords.length);
  } else if (rest.startsWith('"')) {
    const close = rest.indexOf('"', 1);
    if (close < 2) return fail('no_location');
    location = { placeName: original(restAt + 1, restAt + close) };
    next = tokenize(n.text, restAt + close + 1);
  } else {
    const words = tokenize(n.text, restAt);
    const at = words.findIndex((_, i) => partyAt(words, i));
    if (at === -1) return fail('no_party');
    if (at === 0) return fail('no_location');
    const last = words[at - 1]!;
    location = { placeName: original(words[0]!.start, last.start + last.word.length) };
    next = words.slice(at);
  }
  const party = partyAt(next, 0);
  if (!party) return fail('no_party');
  const partyEnd = next[party.words - 1]!.end;
  const narrative = original(partyEnd, n.text.length).replace(/^[\s,.:;-]+/, '');
  if (!narrative) return fail('no_text');
  return { ok: true, report: { language, ...location, partyAlleged: party.party, narrative } };
}
