// Gazetteer and place resolution, both ways: a typed name (any transliteration, English or Arabic) to
// coordinates, and coordinates to the nearest named place. The places are data (gazetteer/<country>.json).
import { readFileSync } from 'node:fs';
import { agreementFile } from '../agreements/index.ts';
import { z } from 'zod';
import { normalizeText } from './normalize.ts';
import { hasArabic } from './language.ts';
import { anchored, anchorLiterals, bindAnchors, findAllAnchored, type AnchoredRegex } from './anchors.ts';
import { LiteralIndex } from './literals.ts';

const PlaceSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  name: z.string().min(1),
  nameAr: z.string().min(1),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  kind: z.string(),
  variants: z.array(z.string().min(1)).default([]),
  variantsAr: z.array(z.string().min(1)).default([]),
  parent: z.string().optional(),
  /** false when an Arabic name is also a common word (e.g. "the oasis"): not looked for in narratives. */
  mentionAr: z.boolean().default(true),
});
const GazetteerSchema = z.object({
  country: z.string(),
  description: z.string().optional(),
  places: z.array(PlaceSchema).min(1),
});

export type Place = z.infer<typeof PlaceSchema>;
export interface PlaceMention {
  placeId: string;
  start: number;
  end: number;
}

export interface Gazetteer {
  places: Place[];
  byId: Map<string, Place>;
  exact: Map<string, Place>;
  skeleton: Map<string, Place>;
  mentionRe: AnchoredRegex;
  /** The aliases as literals: where a mention can start. */
  mentionLiterals: LiteralIndex;
  aliasToPlace: Map<string, Place>;
  searchIndex: Array<{ key: string; place: Place; rank: number }>;
  /** Answers of placeByName: observers type the same few hundred names over and over. */
  byName: Map<string, Place | null>;
}

const ARTICLES = new Set(['al', 'el', 'ar', 'as', 'az', 'ad', 'ash', 'an', 'at']);

/** Latin key: lowercase letters, articles dropped ("Al-Jufra" → "jufra", "Abu Grein" → "abugrein"). */
export function latinKey(s: string): string {
  return normalizeText(s)
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !ARTICLES.has(w))
    .join('');
}

/** Consonant skeleton that absorbs common transliteration variation (Sirte/Surt/Syrte, Sabha/Sebha, Q/G/Gh). */
export function skeletonKey(s: string): string {
  let k = latinKey(s).replace(/([aeiou])h$/, '$1');
  k = k
    .replace(/gh/g, 'g')
    .replace(/q/g, 'g')
    .replace(/kh/g, 'k')
    .replace(/ph/g, 'f')
    .replace(/dh/g, 'd')
    .replace(/th/g, 't');
  k = k.replace(/[aeiouyw'’]/g, '').replace(/(.)\1+/g, '$1');
  return k;
}

// Arabic letters to the consonant classes skeletonKey keeps for Latin names: long vowels, alef, ain, hamza and
// ta marbuta drop out as Latin vowels do; qaf is g and kha is k as in Libyan transliteration (Sirte/سرت → srt,
// Tamanhint/تمنهنت → tmnhnt, Shwayrif/الشويرف → shrf).
const AR_SKELETON: Record<string, string> = {
  ب: 'b',
  ت: 't',
  ث: 't',
  ج: 'j',
  ح: 'h',
  خ: 'k',
  د: 'd',
  ذ: 'd',
  ر: 'r',
  ز: 'z',
  س: 's',
  ش: 'sh',
  ص: 's',
  ض: 'd',
  ط: 't',
  ظ: 'z',
  غ: 'g',
  ف: 'f',
  ق: 'g',
  ك: 'k',
  ل: 'l',
  م: 'm',
  ن: 'n',
  ه: 'h',
};

/**
 * A place name's consonant skeleton in Latin letters, whatever its script, so "سرت" and "Surt", "أوباري" and
 * "Ubari" compare equal even when the gazetteer does not know the place.
 */
export function placeSkeleton(name: string): string {
  if (!hasArabic(name)) return skeletonKey(name);
  const words = normalizeText(name)
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (w.startsWith('ال') && w.length > 3 ? w.slice(2) : w));
  let k = '';
  for (const w of words) {
    for (let i = 0; i < w.length; i++) {
      const c = w[i]!;
      // A final ha is the normalised ta marbuta (or a vowel ending), not a consonant of the name.
      if (c === 'ه' && i === w.length - 1) continue;
      k += AR_SKELETON[c] ?? (/[a-z0-9]/.test(c) ? c : '');
    }
  }
  return k.replace(/(.)\1+/g, '$1');
}

/** The skeleton with the consonants transliteration swaps folded together (ch/sh, g/q/k), for comparing names. */
export function looseSkeleton(name: string): string {
  return placeSkeleton(name)
    .replace(/ch/g, 'sh')
    .replace(/[gq]/g, 'k')
    .replace(/z/g, 's')
    .replace(/(.)\1+/g, '$1');
}

/** Arabic key: normalised letters, article ال dropped from each word, spaces removed. */
export function arabicKey(s: string): string {
  return normalizeText(s)
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .map((w) => (w.startsWith('ال') && w.length > 4 ? w.slice(2) : w))
    .join('');
}

const keyOf = (s: string) => (hasArabic(s) ? `ar:${arabicKey(s)}` : `en:${latinKey(s)}`);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function build(places: Place[]): Gazetteer {
  const byId = new Map(places.map((p) => [p.id, p]));
  const exact = new Map<string, Place>();
  const skeletonCount = new Map<string, Place | null>();
  const aliasToPlace = new Map<string, Place>();
  const searchIndex: Gazetteer['searchIndex'] = [];
  for (const p of places) {
    const names = [p.name, p.nameAr, ...p.variants, ...p.variantsAr];
    // Libyan speech and spelling put a prosthetic alef before an initial mi/mu ("امعيتيقة" for
    // "معيتيقة"): each Arabic name also answers in that form, after the exact names.
    for (const n of [p.nameAr, ...p.variantsAr]) {
      const words = normalizeText(n).split(' ');
      const i = words.findIndex((w) => w.startsWith('م') && w.length >= 4);
      if (i >= 0) names.push(words.map((w, j) => (j === i ? `ا${w}` : w)).join(' '));
    }
    names.forEach((n, i) => {
      const k = keyOf(n);
      if (!exact.has(k)) exact.set(k, p);
      searchIndex.push({ key: normalizeText(n), place: p, rank: i < 2 ? 0 : 1 });
      if (!hasArabic(n)) {
        const sk = skeletonKey(n);
        if (sk.length >= 3) skeletonCount.set(sk, skeletonCount.has(sk) && skeletonCount.get(sk) !== p ? null : p);
      }
      const alias = normalizeText(n).replace(/[()]/g, '');
      if (hasArabic(alias) && !p.mentionAr) return;
      if (!aliasToPlace.has(alias)) aliasToPlace.set(alias, p);
      const noArticle = alias.replace(/^(al|el|as|az|ash|ar|ad) /, '');
      if (noArticle !== alias && noArticle.length >= 4 && !aliasToPlace.has(noArticle)) aliasToPlace.set(noArticle, p);
    });
  }
  const skeleton = new Map<string, Place>();
  for (const [k, p] of skeletonCount) if (p) skeleton.set(k, p);
  // One alternation, longest alias first, so "jufra airbase" wins over "jufra" at the same position.
  const aliases = [...aliasToPlace.keys()].sort((a, b) => b.length - a.length);
  const alt = aliases.map((a) => (hasArabic(a) ? `(?:[وفبلك])?${escapeRe(a)}` : escapeRe(a))).join('|');
  const mentionRe = anchored(new RegExp(`(?<![\\p{L}\\p{N}])(?:${alt})(?![\\p{L}\\p{N}])`, 'gu'));
  const mentionLiterals = new LiteralIndex(anchorLiterals(mentionRe));
  bindAnchors(mentionRe, mentionLiterals);
  return { places, byId, exact, skeleton, mentionRe, mentionLiterals, aliasToPlace, searchIndex, byName: new Map() };
}

const cache = new Map<string, Gazetteer>();

export function loadGazetteer(name = 'libya'): Gazetteer {
  const file = agreementFile('gazetteer', name);
  if (!file)
    throw new Error(
      `no gazetteer ${name} (expected src/classify/gazetteer/${name}.json, or gazetteer/${name}.json in AGREEMENTS_DIR)`,
    );
  let g = cache.get(file);
  if (!g) {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    g = build(GazetteerSchema.parse(raw).places);
    cache.set(file, g);
  }
  return g;
}

export const isForeign = (p: Place) => p.kind === 'foreign';

/** Places named in a (normalised) text, in order of appearance. */
export function findPlaceMentions(normalized: string, g = loadGazetteer()): PlaceMention[] {
  const out: PlaceMention[] = [];
  for (const { start, end } of findAllAnchored(g.mentionRe, normalized, g.mentionLiterals.scan(normalized))) {
    const raw = normalized.slice(start, end);
    let p = g.aliasToPlace.get(raw);
    if (!p && /^[وفبلك]/.test(raw)) p = g.aliasToPlace.get(raw.slice(1));
    if (p) out.push({ placeId: p.id, start, end });
  }
  return out;
}

const NAMES_REMEMBERED = 10_000;

/** The place a typed name refers to: exact alias, transliteration skeleton, then a place named inside it. */
export function placeByName(name: string, g = loadGazetteer()): Place | null {
  let place = g.byName.get(name);
  if (place === undefined) {
    if (g.byName.size >= NAMES_REMEMBERED) g.byName.clear();
    place = lookUpName(name, g);
    g.byName.set(name, place);
  }
  return place;
}

function lookUpName(name: string, g: Gazetteer): Place | null {
  if (!name.trim()) return null;
  const exact = g.exact.get(keyOf(name));
  if (exact) return exact;
  if (!hasArabic(name)) {
    const sk = g.skeleton.get(skeletonKey(name));
    if (sk) return sk;
  }
  // "Sharara / Ubari", "الشرارة - أوباري": a name naming two places stands for the more specific one
  // (a field, a terminal, an airbase rather than the town beside it).
  const parts = name
    .split(/\s[-–—|]\s|\/|،|,|\s-|-\s/)
    .map((x) => x.trim())
    .filter(Boolean);
  if (parts.length > 1) {
    const named = parts.map((x) => placeByName(x, g)).filter((x): x is Place => x != null);
    if (named.length) return named.reduce((best, x) => (specificity(x) > specificity(best) ? x : best));
  }
  const mentions = findPlaceMentions(normalizeText(name), g);
  if (mentions.length === 0) return null;
  mentions.sort(
    (a, b) =>
      specificity(g.byId.get(b.placeId)) - specificity(g.byId.get(a.placeId)) || b.end - b.start - (a.end - a.start),
  );
  return g.byId.get(mentions[0].placeId) ?? null;
}

const GENERAL_KINDS = new Set(['city', 'town', 'district', 'foreign']);
/** A facility or locality is more specific than the town or city it lies in. */
const specificity = (p: Place | undefined) => (p && !GENERAL_KINDS.has(p.kind) ? 1 : 0);

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Nearest Libyan place to a position (a linear scan: the gazetteer has a few hundred entries at most). */
export function nearestPlace(lat: number, lon: number, g = loadGazetteer()): { place: Place; distanceKm: number } {
  let best: Place = g.places[0];
  let bestD = Infinity;
  for (const p of g.places) {
    if (isForeign(p)) continue;
    const d = haversineKm(lat, lon, p.lat, p.lon);
    if (d < bestD) {
      bestD = d;
      best = p;
    }
  }
  return { place: best, distanceKm: bestD };
}

export interface ResolvedPlace {
  id: string | null;
  name: string | null;
  nameAr: string | null;
  lat: number | null;
  lon: number | null;
  source: 'coordinates' | 'name' | 'none';
  distanceKm?: number;
}

/** A typed name agrees with coordinates when the named place lies within this distance of them. */
export const NAME_AGREES_KM = 30;

/**
 * Resolve a report's place. With coordinates they stay authoritative and the name is the typed place when
 * it agrees with them, else the nearest gazetteer place; with a name only, the gazetteer gives coordinates.
 */
export function resolvePlace(
  input: { lat?: number | null; lon?: number | null; placeName?: string | null },
  g = loadGazetteer(),
): ResolvedPlace {
  const named = input.placeName ? placeByName(input.placeName, g) : null;
  if (input.lat != null && input.lon != null) {
    let place = named && !isForeign(named) ? named : null;
    let distanceKm = place ? haversineKm(input.lat, input.lon, place.lat, place.lon) : Infinity;
    if (!place || distanceKm > NAME_AGREES_KM) ({ place, distanceKm } = nearestPlace(input.lat, input.lon, g));
    return {
      id: place.id,
      name: place.name,
      nameAr: place.nameAr,
      lat: input.lat,
      lon: input.lon,
      source: 'coordinates',
      distanceKm: Math.round(distanceKm * 10) / 10,
    };
  }
  if (named)
    return { id: named.id, name: named.name, nameAr: named.nameAr, lat: named.lat, lon: named.lon, source: 'name' };
  return { id: null, name: null, nameAr: null, lat: null, lon: null, source: 'none' };
}

export interface PlaceSuggestion {
  id: string;
  name: string;
  nameAr: string;
  lat: number;
  lon: number;
  kind: string;
  matched: string;
}

/** Autocomplete: places whose name or a variant starts with (or contains a word starting with) the query. */
export function searchPlaces(query: string, limit = 10, g = loadGazetteer()): PlaceSuggestion[] {
  const q = normalizeText(query).replace(/-/g, ' ');
  if (!q) return [];
  const scored = new Map<string, { score: number; place: Place; matched: string }>();
  for (const { key, place, rank } of g.searchIndex) {
    let score: number;
    const stripped = key.replace(/^(al|el|ال)\s?/, '');
    if (key === q) score = 0;
    else if (key.startsWith(q) || stripped.startsWith(q)) score = 1 + rank;
    else if (key.split(' ').some((w) => w.startsWith(q) || w.replace(/^ال/, '').startsWith(q))) score = 3 + rank;
    else continue;
    if (isForeign(place)) score += 5;
    const prev = scored.get(place.id);
    if (!prev || score < prev.score) scored.set(place.id, { score, place, matched: key });
  }
  return [...scored.values()]
    .sort((a, b) => a.score - b.score || a.place.name.localeCompare(b.place.name))
    .slice(0, limit)
    .map(({ place, matched }) => ({
      id: place.id,
      name: place.name,
      nameAr: place.nameAr,
      lat: place.lat,
      lon: place.lon,
      kind: place.kind,
      matched,
    }));
}

/** A place name in both scripts: the gazetteer's entry for exactly this name (any of its spellings), else none. */
export function bothScripts(name: string | null, g = loadGazetteer()): { name: string; nameAr: string } | null {
  if (!name?.trim()) return null;
  const p = g.exact.get(keyOf(name));
  return p ? { name: p.name, nameAr: p.nameAr } : null;
}

/**
 * Every spelling a place-name search should match: the query itself, and the English and Arabic names of the
 * gazetteer places it names or starts, so "سرت" finds incidents stored as "Sirte" and "Sirte" those typed "سرت".
 */
export function placeSpellings(query: string, g = loadGazetteer(), limit = 10): string[] {
  const out = new Set([query.trim()]);
  for (const p of searchPlaces(query, limit, g)) {
    out.add(p.name);
    out.add(p.nameAr);
  }
  return [...out].filter(Boolean);
}

/** The gazetteer ids that dedup's reasons name ("same place harawa", "both name sirte, misrata"). */
const REASON_PLACES = /^(?:same place|both name) (.+)$/;

/** English and Arabic names of the places a list of dedup reasons names by id, for reasons shown in either language. */
export function placesInReasons(
  reasons: string[],
  g = loadGazetteer(),
): Record<string, { name: string; nameAr: string }> {
  const out: Record<string, { name: string; nameAr: string }> = {};
  for (const r of reasons) {
    const m = REASON_PLACES.exec(r);
    for (const id of m ? m[1]!.split(', ') : []) {
      const p = g.byId.get(id);
      if (p) out[id] = { name: p.name, nameAr: p.nameAr };
    }
  }
  return out;
}
