// Compact, JSON-able features of a report, stored with it and compared by dedup. Language-independent:
// places, numbers, parties, nationalities, concepts and terms carry across English and Arabic reports.
import type { ClassifyResult } from '../classify/classifier.ts';
import type { ModelReading } from '../classify/classify.ts';
import { hash32, words as textWords } from '../classify/model/features.ts';
import type { ResolvedPlace } from '../classify/places.ts';
import { loadGazetteer, looseSkeleton } from '../classify/places.ts';
import { normalizeText } from '../classify/normalize.ts';
import { localDay } from '../time-format.ts';
import type { Agreement } from '../agreements/index.ts';
import { locateReport, type JudgedPosition } from '../classify/position.ts';

export interface ReportFeatures {
  /** 2: adds the classifier's probabilities, word hashes and the place skeleton the learned pair model reads. */
  v: 1 | 2;
  observedAt: string;
  /** Local calendar days the event may belong to: the report day, and the day before for "yesterday". */
  eventDays: string[];
  lat: number | null;
  lon: number | null;
  positionSource: 'coordinates' | 'name' | 'narrative' | 'none';
  placeKey: string | null;
  /** Places the report names (typed place + narrative mentions), gazetteer ids. */
  places: string[];
  /** Blocking cells: the report position and the places it names. */
  cells: string[];
  numbers: number[];
  parties: string[];
  nationalities: string[];
  terms: string[];
  stance: 'violation' | 'compliance' | 'information';
  concepts: string[];
  routine: boolean;
  attachmentHashes: string[];
  /** Perceptual hashes of the report's photos, when computed (near-identical pictures re-sent by others). */
  photoHashes?: string[];
  language: 'en' | 'ar';
  /** Term probabilities (the model's, or 1 for each term the rules chose when there is no model), 2 decimals. */
  termProbs?: Record<string, number>;
  stanceProbs?: Record<string, number>;
  /** Hashes of the narrative's word stems, sorted, at most 80: near-identical texts share nearly all of them. */
  words?: number[];
  /** Loose consonant skeleton of the typed place name (any script), for places the gazetteer does not know. */
  placeSkel?: string | null;
  /**
   * Consonant skeletons of the names the narrative carries (capitalised words in Latin script, every word of four
   * letters or more in Arabic): "Williams"/"ويليامز", "Ghadames"/"غدامس" meet across the two languages.
   */
  names?: string[];
  /** Words in the narrative: long texts (press paragraphs) tell one event over more days than field reports do. */
  length?: number;
  /**
   * The narrative presents its event as another one ("new clashes this morning", "two more tanks", "a separate
   * group", "اشتباكات جديدة", "دبابتين أخريين"): how writers of either language mark a follow-on event at a place
   * already reported, which the pair model weighs against joining the earlier report's incident.
   */
  fresh?: boolean;
  /**
   * The narrative presents itself as more about an event already reported ("UPDATE:", "follow-up on the convoy",
   * "correction on yesterday's report", "further to", "تحديث", "متابعة", "بخصوص", "تصحيح"): how field
   * teams of either language file what they learn later, often without the place or time, with revised counts or
   * the other side's denial. The pair model weighs it for joining an earlier incident of the same kind.
   */
  followUp?: boolean;
}

export interface FeatureReport {
  observedAt: Date | string;
  lat?: number | null;
  lon?: number | null;
  placeName?: string | null;
  narrative: string;
  partyAlleged?: string | null;
  attachmentHashes?: string[];
  photoHashes?: string[];
}

/** Grid of 0.1° (~11 km): a report's candidates come from its cells and their neighbours. */
export const CELL_DEG = 0.1;

export function geoCell(lat: number, lon: number): string {
  return `${Math.floor(lat / CELL_DEG)}:${Math.floor(lon / CELL_DEG)}`;
}

export function neighbourCells(cell: string): string[] {
  const [a, b] = cell.split(':').map(Number);
  const out: string[] = [];
  for (let i = -1; i <= 1; i++) for (let j = -1; j <= 1; j++) out.push(`${a + i}:${b + j}`);
  return out;
}

// No prototype: a narrative's word is looked up as a key, and "constructor" must not find Object's.
const NUMBER_WORDS: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  dozen: 12,
  dozens: 24,
  // Arabic, normalised (ة→ه, أ→ا): units, tens, and the dual/hundreds forms field reports use.
  واحد: 1,
  اثنين: 2,
  اثنان: 2,
  اثنتين: 2,
  ثلاث: 3,
  ثلاثه: 3,
  اربع: 4,
  اربعه: 4,
  خمس: 5,
  خمسه: 5,
  ست: 6,
  سته: 6,
  سبع: 7,
  سبعه: 7,
  ثماني: 8,
  ثمانيه: 8,
  ثمان: 8,
  تسع: 9,
  تسعه: 9,
  عشر: 10,
  عشره: 10,
  عشرين: 20,
  عشرون: 20,
  ثلاثين: 30,
  ثلاثون: 30,
  اربعين: 40,
  اربعون: 40,
  خمسين: 50,
  خمسون: 50,
  ستين: 60,
  ستون: 60,
  سبعين: 70,
  ثمانين: 80,
  تسعين: 90,
  ميه: 100,
  مايه: 100,
  ميتي: 200,
  ميتين: 200,
  مايتي: 200,
  مايتين: 200,
  ميتا: 200,
  الف: 1000,
});
const UNITS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]);

/** Counts in the narrative (digits and number words, en + ar), without clock times and years. */
export function extractNumbers(normalized: string): number[] {
  const out = new Set<number>();
  const words = normalized
    .replace(/[^\p{L}\p{N}.+~\s]/gu, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    // Most words are neither digits nor number words: nothing below can match a word that does not start with a
    // digit, "~", or a proclitic و/ب, and is not a number word itself.
    const c = words[i].charCodeAt(0);
    if (!((c >= 48 && c <= 57) || c === 126 || c === 0x648 || c === 0x628) && NUMBER_WORDS[words[i]] === undefined)
      continue;
    let w = words[i].replace(/^[وب]/, (m) => (NUMBER_WORDS[words[i]] !== undefined ? '' : m));
    const digits = /^~?(\d{1,5})(\+|x)?$/.exec(w);
    if (digits) {
      const n = Number(digits[1]);
      // 4-digit values are clock times (0540, 2220) or years, not counts.
      if (
        digits[1].length === 4 ||
        (digits[1].length === 3 && /^[0-2]\d[0-5]\d?$/.test(digits[1]) && words[i + 1] === 'l')
      )
        continue;
      if (n > 0 && n < 5000) out.add(n);
      continue;
    }
    if (/^\d{3,4}l$/.test(w)) continue; // "0540L"
    w = w.replace(/^و/, '');
    let n = NUMBER_WORDS[w] ?? NUMBER_WORDS[words[i]];
    if (n === undefined) continue;
    // Compounds: "خمس عشرة" = 15, "ثمانية عشر" = 18, "twenty five" = 25, "three hundred" = 300.
    const next = words[i + 1]?.replace(/^و/, '');
    const m = next !== undefined ? NUMBER_WORDS[next] : undefined;
    if (m === 10 && UNITS.has(n)) {
      n += 10;
      i++;
    } else if (m === 100 && n < 10) {
      n *= 100;
      i++;
    } else if (m !== undefined && n >= 20 && n < 100 && UNITS.has(m)) {
      n += m;
      i++;
    } else if (m !== undefined && UNITS.has(n) && m >= 20 && m < 100) {
      n += m;
      i++;
    } // Arabic "خمسة وعشرون"
    out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

const NATIONALITY: Array<[string, RegExp]> = [
  ['syrian', /syrian|سوري/u],
  ['sudanese', /sudanese|سودان|janjaweed|جنجويد|rsf|دعم السريع/u],
  ['chadian', /chadian|تشاد/u],
  ['russian', /russian|wagner|روس|فاغنر|واغنر/u],
  ['turkish', /turkish|turks?\b|ترك|اتراك/u],
];

const shiftDay = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export interface FeatureOptions {
  timeZone?: string;
  gazetteer?: string;
}

/**
 * Features of one report. `classification` is the classifier's automatic result (a reviewer's term/stance
 * correction may be substituted in it); `place` is resolvePlace's answer for the report.
 */
/**
 * The key a report is blocked under when it has no position: the gazetteer place, else the skeleton of the name the
 * observer typed ("~srt" for سرت, Surt, Sirte alike), so two reports of an unlisted village still meet.
 */
export function blockKey(f: Pick<ReportFeatures, 'placeKey' | 'placeSkel'>): string | null {
  return f.placeKey ?? (f.placeSkel ? `~${f.placeSkel}` : null);
}

// Words that present an event as another one than the last told (see ReportFeatures.fresh); Arabic normalised
// (أ→ا, ة→ه, ى→ي) with the proclitics و ف ب and the article.
const FRESH =
  /(?<![\p{L}\p{N}])(?:new|another|fresh|renewed|separate|distinct|again|more|second|(?:[وفب])?(?:ال)?(?:جديد|جديده|جدد|اخري|اخريين|اخرين|مجددا|مجدد|ثانيه|منفصل|منفصله|المزيد))(?![\p{L}\p{N}])/u;

// Words that present a report as more on an event already told (see ReportFeatures.followUp); the same Arabic
// normalisation. Discourse markers of a follow-up, not words of any term: they carry to writers not seen. Not the
// everyday prepositions ("regarding", "بشأن", "as reported", "كما ورد") or "المتابعة" (a monitoring committee),
// nor "correction" alone (the prisons are "correction and rehabilitation institutions").
const FOLLOW_UP =
  /(?<![\p{L}\p{N}])(?:updates?|updated|follow ?ups?|followups?|following up|correction (?:on|to|of|re)|corrected|further to|with reference to|(?:earlier|previous|last|this morning s|yesterday s|last night s) (?:report|message|update|sitrep)|(?:[وفب])?(?:تحديث|متابعه|تصحيح|تصويب|استدراك)|التحديث|التصحيح|(?:و)?بخصوص|(?:ال)?(?:تقرير|بلاغ) (?:ال)?سابق)(?![\p{L}\p{N}])/u;

const MAX_WORDS = 80;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Stems of three letters or more, hashed: what two tellings of one text have in common, in either script. */
export function wordHashes(normalized: string): number[] {
  const out = new Set<number>();
  for (const w of textWords(normalized)) {
    if (w.s.length < 3 || /^\d+$/.test(w.s)) continue;
    out.add(hash32(w.s));
    if (out.size >= MAX_WORDS) break;
  }
  return [...out].sort((a, b) => a - b);
}

// Capitalised words that start sentences or name no one.
const NOT_NAMES = new Set([
  'the',
  'this',
  'that',
  'these',
  'they',
  'there',
  'their',
  'then',
  'when',
  'while',
  'after',
  'before',
  'according',
  'report',
  'reports',
  'update',
  'local',
  'libyan',
  'libya',
  'army',
  'forces',
  'source',
  'sources',
  'today',
  'yesterday',
  'morning',
  'evening',
  'night',
  'event',
  'actor',
  'location',
  'assessment',
  'confidence',
]);
const MAX_NAMES = 40;

/** Skeletons of the narrative's names, in either script (see ReportFeatures.names). */
export function nameSkeletons(narrative: string, normalized: string): string[] {
  const out = new Set<string>();
  for (const m of narrative.matchAll(/\b[A-Z][A-Za-z'’-]{3,}/g)) {
    if (NOT_NAMES.has(m[0].toLowerCase())) continue;
    const k = looseSkeleton(m[0]);
    if (k.length >= 3) out.add(k);
  }
  for (const w of normalized.split(' ')) {
    if (!/^[\u0600-\u06FF]{4,}$/.test(w)) continue;
    const k = looseSkeleton(w);
    if (k.length >= 3) out.add(k);
  }
  return [...out].sort().slice(0, MAX_NAMES);
}

function probabilities(c: ClassifyResult & { model?: ModelReading }): {
  termProbs: Record<string, number>;
  stanceProbs: Record<string, number>;
} {
  const m = c.model;
  if (m && Object.keys(m.termProbs).length) {
    const termProbs = Object.fromEntries(
      Object.entries(m.termProbs)
        .filter(([, p]) => p >= 0.01)
        .map(([t, p]) => [t, round2(p)]),
    );
    return {
      termProbs,
      stanceProbs: Object.fromEntries(Object.entries(m.stanceProbs).map(([t, p]) => [t, round2(p)])),
    };
  }
  return { termProbs: Object.fromEntries(c.terms.map((t) => [t.id, 1])), stanceProbs: { [c.stance]: 1 } };
}

export function extractFeatures(
  report: FeatureReport,
  classification: ClassifyResult & { model?: ModelReading },
  place: ResolvedPlace,
  opts: FeatureOptions = {},
): ReportFeatures {
  const timeZone = opts.timeZone ?? 'Africa/Tripoli';
  const g = loadGazetteer(opts.gazetteer ?? 'libya');
  const observed = new Date(report.observedAt);
  const day = localDay(observed, timeZone);
  const s = classification.signals;
  const eventDays = [day];
  if (s?.previousDay) eventDays.push(shiftDay(day, -1));
  if (s?.twoDaysAgo) eventDays.push(shiftDay(day, -2));

  const mentioned = (s?.places ?? []).filter((id) => g.byId.get(id)?.kind !== 'foreign');
  const places = [
    ...new Set([...(place.id && g.byId.get(place.id)?.kind !== 'foreign' ? [place.id] : []), ...mentioned]),
  ];
  let lat = place.lat;
  let lon = place.lon;
  let positionSource: ReportFeatures['positionSource'] = place.source;
  if (lat == null || lon == null || (place.id && g.byId.get(place.id)?.kind === 'foreign')) {
    const first = mentioned.length ? g.byId.get(mentioned[0]) : undefined;
    ({ lat, lon } = first ? { lat: first.lat, lon: first.lon } : { lat: null, lon: null });
    positionSource = first ? 'narrative' : 'none';
  }
  const cells = new Set<string>();
  if (lat != null && lon != null) cells.add(geoCell(lat, lon));
  for (const id of places) {
    const p = g.byId.get(id)!;
    cells.add(geoCell(p.lat, p.lon));
  }

  const text = classification.normalizedText ?? normalizeText(report.narrative);
  const parties = new Set<string>(s?.parties ?? []);
  if (report.partyAlleged && report.partyAlleged !== 'unknown') parties.add(report.partyAlleged);
  const typed = report.placeName?.trim();
  const skel = typed ? looseSkeleton(typed) : null;
  return {
    v: 2,
    observedAt: observed.toISOString(),
    eventDays,
    lat,
    lon,
    positionSource,
    placeKey: place.id && g.byId.get(place.id)?.kind !== 'foreign' ? place.id : (mentioned[0] ?? null),
    places,
    cells: [...cells],
    numbers: extractNumbers(text),
    parties: [...parties].sort(),
    nationalities: NATIONALITY.filter(([, re]) => re.test(text)).map(([n]) => n),
    terms: classification.terms.map((t) => t.id).sort(),
    stance: classification.stance,
    concepts: s?.concepts ?? [],
    routine: s?.routine ?? false,
    attachmentHashes: [...new Set(report.attachmentHashes ?? [])].sort(),
    // Only when there are some: the stored features of reports without photos stay as they were.
    ...(report.photoHashes?.length ? { photoHashes: [...new Set(report.photoHashes)].sort() } : {}),
    language: classification.language,
    ...probabilities(classification),
    words: wordHashes(text),
    placeSkel: skel && skel.length >= 2 ? skel : null,
    names: nameSkeletons(report.narrative, text),
    length: text.split(' ').length,
    fresh: FRESH.test(text),
    followUp: FOLLOW_UP.test(text),
  };
}

/**
 * A report's dedup features as the workers compute them: located first (an out-of-area or swapped point gives way to
 * what is likely true), then read with the agreement's gazetteer and time zone. The analyzer, `npm run eval` and the
 * pair model's training all call this, so the model never learns, nor is scored on, features the workers would not
 * compute.
 */
export function locatedFeatures(
  report: FeatureReport,
  classification: ClassifyResult & { model?: ModelReading },
  agreement: Pick<Agreement, 'gazetteer' | 'timezone' | 'area'>,
): { features: ReportFeatures; place: ResolvedPlace; flags: JudgedPosition['flags'] } {
  const position = locateReport(
    { lat: report.lat ?? null, lon: report.lon ?? null, placeName: report.placeName ?? null },
    loadGazetteer(agreement.gazetteer),
    agreement.area,
  );
  const features = extractFeatures(
    { ...report, lat: position.use.lat, lon: position.use.lon },
    classification,
    position.place,
    { timeZone: agreement.timezone, gazetteer: agreement.gazetteer },
  );
  return { features, place: position.place, flags: position.flags };
}
