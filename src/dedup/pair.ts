// How alike two reports are, as a fixed list of numbers a learned model weighs (dedup/pair-model.ts): where
// and when, what the classifier made of them (as probabilities, so a wrong label on one side costs a little
// instead of vetoing the pair), counts, actors, the lexicon's concepts, the words themselves (near-identical
// captions), and place names compared across scripts. Every signal is computed the same for an Arabic and an
// English report, so one event told in both languages scores like two English accounts.
import { haversineKm } from '../classify/places.ts';
import type { ReportFeatures } from './features.ts';

const HOUR = 3_600_000;

export const PAIR_FEATURES = [
  'bias',
  'km_le1',
  'km_le3',
  'km_le10',
  'km_le25',
  'km_le60',
  'km_le150',
  'km_gt150',
  'km_unknown',
  'both_precise',
  'same_place',
  'shared_place',
  'skeleton_same',
  'skeleton_near',
  'gap_le1h',
  'gap_le3h',
  'gap_le6h',
  'gap_le12h',
  'gap_le24h',
  'gap_le48h',
  'gap_gt48h',
  'same_day',
  'back_reference',
  'term_cosine',
  'term_top_same',
  'both_none',
  'one_none',
  'stance_same',
  'stance_opposite',
  'stance_cosine',
  'numbers_shared',
  'numbers_conflict',
  'nationality_shared',
  'nationality_conflict',
  'party_conflict',
  'concepts_jaccard',
  'concepts_shared',
  'words_jaccard',
  'words_near_identical',
  'same_language',
  'attachment_shared',
  'routine_both',
  'close_and_recent',
  'close_and_term',
  'recent_and_term',
  'names_shared',
  'names_cross_language',
  'long_pair',
  'long_and_day',
  'long_and_two_days',
  'stance_differs_sure',
  'stance_opposite_sure',
  'terms_differ_sure',
  'later_fresh',
  'later_fresh_other_day',
  'later_follow_up',
  'follow_up_and_term',
] as const;
export type PairFeature = (typeof PAIR_FEATURES)[number];
// Feature positions as plain properties: the vector is built for every pair a new report meets.
const I = Object.fromEntries(PAIR_FEATURES.map((f, i) => [f, i])) as Record<PairFeature, number>;

const intersectCount = <T>(a: readonly T[], b: readonly T[]) => {
  let n = 0;
  for (const x of a) if (b.includes(x)) n++;
  return n;
};

/** Two counts agree when equal or within 20% ("approx. 60" vs "around 60", "~15" vs "15"). */
export function sharedNumbers(a: number[], b: number[]): number[] {
  const big = (n: number) => n >= 2;
  return a.filter(
    (x) =>
      big(x) &&
      b.some(
        (y) => big(y) && Math.abs(x - y) <= Math.max(0, 0.2 * Math.max(x, y)) && (x === y || Math.max(x, y) >= 10),
      ),
  );
}

/** Jaccard of two sorted lists of word hashes. */
function jaccardSorted(a: readonly number[], b: readonly number[]): number {
  if (!a.length || !b.length) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return common / (a.length + b.length - common);
}

// Features stored before version 2 carry no probabilities or words: their chosen terms and stance stand in.
const termProbsOf = (f: ReportFeatures) => f.termProbs ?? Object.fromEntries(f.terms.map((t) => [t, 1]));
const stanceProbsOf = (f: ReportFeatures) => f.stanceProbs ?? { [f.stance]: 1 };

// What a report contributes to every pair it is in, computed once per report (a new report meets up to 40 × 30
// members): its time, its most likely term, and the norms of its probability maps. The maps are read in the order of
// their sorted keys, never their own: features stored as jsonb come back with their keys reordered, and a report
// compared from memory (a batch) must score exactly as the same report read back from the database.
interface Derived {
  t: number;
  termProbs: Record<string, number>;
  termKeys: string[];
  termNorm: number;
  termTop: string | undefined;
  stanceProbs: Record<string, number>;
  stanceKeys: string[];
  stanceNorm: number;
  knownParties: string[];
}
const derivedOf = new WeakMap<ReportFeatures, Derived>();

function squares(p: Record<string, number>, keys: string[]): number {
  let n = 0;
  for (const k of keys) n += p[k]! * p[k]!;
  return n;
}

/** The key of the largest value; of equal values, the first in sorted order. */
function top(p: Record<string, number>, keys: string[]): string | undefined {
  let best: string | undefined;
  for (const k of keys) if (best === undefined || p[k]! > p[best]!) best = k;
  return best;
}

function derived(f: ReportFeatures): Derived {
  let d = derivedOf.get(f);
  if (!d) {
    const termProbs = termProbsOf(f);
    const stanceProbs = stanceProbsOf(f);
    const termKeys = Object.keys(termProbs).sort();
    const stanceKeys = Object.keys(stanceProbs).sort();
    d = {
      t: Date.parse(f.observedAt),
      termProbs,
      termKeys,
      termNorm: squares(termProbs, termKeys),
      termTop: top(termProbs, termKeys),
      stanceProbs,
      stanceKeys,
      stanceNorm: squares(stanceProbs, stanceKeys),
      knownParties: f.parties.filter((x) => x === 'LAAF' || x === 'GNA'),
    };
    derivedOf.set(f, d);
  }
  return d;
}

function cosine(a: Record<string, number>, keys: string[], na: number, b: Record<string, number>, nb: number): number {
  let dot = 0;
  for (const k of keys) dot += a[k]! * (b[k] ?? 0);
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** Edit distance at most one between two skeletons (one consonant added, dropped or swapped). */
function nearSkeleton(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1 || Math.min(a.length, b.length) < 3) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

export interface PairFacts {
  vector: Float64Array;
  km: number | null;
  gapH: number;
}

/** Hours between the two reports' times (the learned comparison's veto reads it before any feature). */
export function gapHours(a: ReportFeatures, b: ReportFeatures): number {
  return Math.abs(derived(a).t - derived(b).t) / HOUR;
}

/** `into`: a vector to reuse (zeroed here), for scans over many pairs; by default a new one. */
export function pairVector(a: ReportFeatures, b: ReportFeatures, into?: Float64Array): PairFacts {
  const v = into ? into.fill(0) : new Float64Array(PAIR_FEATURES.length);
  v[I.bias] = 1;
  const km =
    a.lat != null && a.lon != null && b.lat != null && b.lon != null ? haversineKm(a.lat, a.lon, b.lat, b.lon) : null;
  if (km === null) v[I.km_unknown] = 1;
  else
    v[
      I[
        km <= 1
          ? 'km_le1'
          : km <= 3
            ? 'km_le3'
            : km <= 10
              ? 'km_le10'
              : km <= 25
                ? 'km_le25'
                : km <= 60
                  ? 'km_le60'
                  : km <= 150
                    ? 'km_le150'
                    : 'km_gt150'
      ]
    ] = 1;
  if (a.positionSource === 'coordinates' && b.positionSource === 'coordinates') v[I.both_precise] = 1;
  const samePlace = !!a.placeKey && a.placeKey === b.placeKey;
  if (samePlace) v[I.same_place] = 1;
  if (intersectCount(a.places, b.places) > 0) v[I.shared_place] = 1;
  if (a.placeSkel && b.placeSkel) {
    if (a.placeSkel === b.placeSkel) v[I.skeleton_same] = 1;
    else if (nearSkeleton(a.placeSkel, b.placeSkel)) v[I.skeleton_near] = 1;
  }
  const da = derived(a);
  const db = derived(b);
  const gapH = Math.abs(da.t - db.t) / HOUR;
  v[
    I[
      gapH <= 1
        ? 'gap_le1h'
        : gapH <= 3
          ? 'gap_le3h'
          : gapH <= 6
            ? 'gap_le6h'
            : gapH <= 12
              ? 'gap_le12h'
              : gapH <= 24
                ? 'gap_le24h'
                : gapH <= 48
                  ? 'gap_le48h'
                  : 'gap_gt48h'
    ]
  ] = 1;
  if (a.eventDays[0] === b.eventDays[0]) v[I.same_day] = 1;
  const [earlier, later] = da.t <= db.t ? [a, b] : [b, a];
  if (later.eventDays.slice(1).includes(earlier.eventDays[0]!)) v[I.back_reference] = 1;
  // What the later report says of itself; with the same time either may be the later one, so either counts.
  const laterSays = (cue: 'fresh' | 'followUp') =>
    later[cue] === true || (earlier[cue] === true && a.observedAt === b.observedAt);
  // The later report calling its event new or another is evidence of a follow-on incident, more so on another day.
  if (laterSays('fresh')) {
    v[I.later_fresh] = 1;
    if (later.eventDays[0] !== earlier.eventDays[0]) v[I.later_fresh_other_day] = 1;
  }
  const ta = da.termProbs;
  const tb = db.termProbs;
  const tc = cosine(ta, da.termKeys, da.termNorm, tb, db.termNorm);
  v[I.term_cosine] = tc;
  // The later report saying it is more on an event already told: evidence of one incident when the kind agrees.
  if (laterSays('followUp')) {
    v[I.later_follow_up] = 1;
    v[I.follow_up_and_term] = tc;
  }
  if (da.termTop === db.termTop) v[I.term_top_same] = 1;
  const aNone = a.terms.includes('none');
  const bNone = b.terms.includes('none');
  if (aNone && bNone) v[I.both_none] = 1;
  else if (aNone || bNone) v[I.one_none] = 1;
  if (a.stance === b.stance) v[I.stance_same] = 1;
  if (
    (a.stance === 'violation' && b.stance === 'compliance') ||
    (a.stance === 'compliance' && b.stance === 'violation')
  )
    v[I.stance_opposite] = 1;
  v[I.stance_cosine] = cosine(da.stanceProbs, da.stanceKeys, da.stanceNorm, db.stanceProbs, db.stanceNorm);
  const nums = sharedNumbers(a.numbers, b.numbers).length;
  v[I.numbers_shared] = Math.min(nums, 3) / 3;
  if (!nums && a.numbers.some((n) => n >= 3) && b.numbers.some((n) => n >= 3)) v[I.numbers_conflict] = 1;
  if (a.nationalities.length && b.nationalities.length)
    v[I[intersectCount(a.nationalities, b.nationalities) ? 'nationality_shared' : 'nationality_conflict']] = 1;
  const pa = da.knownParties;
  const pb = db.knownParties;
  if (pa.length === 1 && pb.length === 1 && pa[0] !== pb[0]) v[I.party_conflict] = 1;
  // Concepts are sorted and unique (classify/classifier.ts): the union's size follows from the common count.
  const common = intersectCount(a.concepts, b.concepts);
  const union = a.concepts.length + b.concepts.length - common;
  if (union) v[I.concepts_jaccard] = common / union;
  v[I.concepts_shared] = Math.min(common, 4) / 4;
  const wj = jaccardSorted(a.words ?? [], b.words ?? []);
  v[I.words_jaccard] = wj;
  if (wj >= 0.8) v[I.words_near_identical] = 1;
  if (a.language === b.language) v[I.same_language] = 1;
  if (
    intersectCount(a.attachmentHashes, b.attachmentHashes) > 0 ||
    intersectCount(a.photoHashes ?? [], b.photoHashes ?? []) > 0
  )
    v[I.attachment_shared] = 1;
  if (a.routine && b.routine) v[I.routine_both] = 1;
  const close = samePlace || (km !== null && km <= 10);
  if (close && gapH <= 6) v[I.close_and_recent] = 1;
  if (close) v[I.close_and_term] = tc;
  if (gapH <= 6) v[I.recent_and_term] = tc;
  // Disagreement the classifier is sure of on both sides is strong evidence of two incidents (a closure and the
  // reopening the same afternoon); disagreement it is unsure of is likely its own error and weighs little.
  const sa = da.stanceProbs;
  const sb = db.stanceProbs;
  const stanceSure = Math.min(sa[a.stance] ?? 1, sb[b.stance] ?? 1);
  if (a.stance !== b.stance) v[I.stance_differs_sure] = stanceSure;
  if (
    (a.stance === 'violation' && b.stance === 'compliance') ||
    (a.stance === 'compliance' && b.stance === 'violation')
  )
    v[I.stance_opposite_sure] = stanceSure;
  const topA = da.termTop;
  const topB = db.termTop;
  if (topA !== topB) v[I.terms_differ_sure] = Math.min(ta[topA!] ?? 0, tb[topB!] ?? 0) * (1 - tc);
  const names = intersectCount(a.names ?? [], b.names ?? []);
  v[I.names_shared] = Math.min(names, 4) / 4;
  if (a.language !== b.language) v[I.names_cross_language] = Math.min(names, 4) / 4;
  if ((a.length ?? 0) >= 40 && (b.length ?? 0) >= 40) {
    v[I.long_pair] = 1;
    if (gapH <= 24) v[I.long_and_day] = 1;
    else if (gapH <= 48) v[I.long_and_two_days] = 1;
  }
  return { vector: v, km, gapH };
}
