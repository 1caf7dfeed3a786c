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
] as const;
export type PairFeature = (typeof PAIR_FEATURES)[number];
const INDEX = new Map<string, number>(PAIR_FEATURES.map((f, i) => [f, i]));

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

function cosine(a: Record<string, number>, b: Record<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of Object.entries(a)) {
    na += v * v;
    dot += v * (b[k] ?? 0);
  }
  for (const v of Object.values(b)) nb += v * v;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const top = (p: Record<string, number>) => Object.entries(p).sort((x, y) => y[1] - x[1])[0]?.[0];

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

// Features stored before version 2 carry no probabilities or words: their chosen terms and stance stand in.
const termProbsOf = (f: ReportFeatures) => f.termProbs ?? Object.fromEntries(f.terms.map((t) => [t, 1]));
const stanceProbsOf = (f: ReportFeatures) => f.stanceProbs ?? { [f.stance]: 1 };

export function pairVector(a: ReportFeatures, b: ReportFeatures): PairFacts {
  const v = new Float64Array(PAIR_FEATURES.length);
  const set = (f: PairFeature, x = 1) => {
    v[INDEX.get(f)!] = x;
  };
  set('bias');
  const km =
    a.lat != null && a.lon != null && b.lat != null && b.lon != null ? haversineKm(a.lat, a.lon, b.lat, b.lon) : null;
  if (km === null) set('km_unknown');
  else
    set(
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
                  : 'km_gt150',
    );
  if (a.positionSource === 'coordinates' && b.positionSource === 'coordinates') set('both_precise');
  const samePlace = !!a.placeKey && a.placeKey === b.placeKey;
  if (samePlace) set('same_place');
  if (intersectCount(a.places, b.places) > 0) set('shared_place');
  if (a.placeSkel && b.placeSkel) {
    if (a.placeSkel === b.placeSkel) set('skeleton_same');
    else if (nearSkeleton(a.placeSkel, b.placeSkel)) set('skeleton_near');
  }
  const gapH = Math.abs(Date.parse(a.observedAt) - Date.parse(b.observedAt)) / HOUR;
  set(
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
                : 'gap_gt48h',
  );
  if (a.eventDays[0] === b.eventDays[0]) set('same_day');
  const [earlier, later] = Date.parse(a.observedAt) <= Date.parse(b.observedAt) ? [a, b] : [b, a];
  if (later.eventDays.slice(1).includes(earlier.eventDays[0]!)) set('back_reference');
  // The later report calling its event new or another is evidence of a follow-on incident, more so on another day.
  if (later.fresh || (earlier.fresh && a.observedAt === b.observedAt)) {
    set('later_fresh');
    if (later.eventDays[0] !== earlier.eventDays[0]) set('later_fresh_other_day');
  }
  const ta = termProbsOf(a);
  const tb = termProbsOf(b);
  const tc = cosine(ta, tb);
  set('term_cosine', tc);
  if (top(ta) === top(tb)) set('term_top_same');
  const aNone = a.terms.includes('none');
  const bNone = b.terms.includes('none');
  if (aNone && bNone) set('both_none');
  else if (aNone || bNone) set('one_none');
  if (a.stance === b.stance) set('stance_same');
  if (
    (a.stance === 'violation' && b.stance === 'compliance') ||
    (a.stance === 'compliance' && b.stance === 'violation')
  )
    set('stance_opposite');
  set('stance_cosine', cosine(stanceProbsOf(a), stanceProbsOf(b)));
  const nums = sharedNumbers(a.numbers, b.numbers).length;
  set('numbers_shared', Math.min(nums, 3) / 3);
  if (!nums && a.numbers.some((n) => n >= 3) && b.numbers.some((n) => n >= 3)) set('numbers_conflict');
  if (a.nationalities.length && b.nationalities.length)
    set(intersectCount(a.nationalities, b.nationalities) ? 'nationality_shared' : 'nationality_conflict');
  const known = (p: string[]) => p.filter((x) => x === 'LAAF' || x === 'GNA');
  const pa = known(a.parties);
  const pb = known(b.parties);
  if (pa.length === 1 && pb.length === 1 && pa[0] !== pb[0]) set('party_conflict');
  const union = new Set([...a.concepts, ...b.concepts]).size;
  const common = intersectCount(a.concepts, b.concepts);
  if (union) set('concepts_jaccard', common / union);
  set('concepts_shared', Math.min(common, 4) / 4);
  const wj = jaccardSorted(a.words ?? [], b.words ?? []);
  set('words_jaccard', wj);
  if (wj >= 0.8) set('words_near_identical');
  if (a.language === b.language) set('same_language');
  if (
    intersectCount(a.attachmentHashes, b.attachmentHashes) > 0 ||
    intersectCount(a.photoHashes ?? [], b.photoHashes ?? []) > 0
  )
    set('attachment_shared');
  if (a.routine && b.routine) set('routine_both');
  const close = samePlace || (km !== null && km <= 10);
  if (close && gapH <= 6) set('close_and_recent');
  if (close) set('close_and_term', tc);
  if (gapH <= 6) set('recent_and_term', tc);
  // Disagreement the classifier is sure of on both sides is strong evidence of two incidents (a closure and the
  // reopening the same afternoon); disagreement it is unsure of is likely its own error and weighs little.
  const sa = stanceProbsOf(a);
  const sb = stanceProbsOf(b);
  const stanceSure = Math.min(sa[a.stance] ?? 1, sb[b.stance] ?? 1);
  if (a.stance !== b.stance) set('stance_differs_sure', stanceSure);
  if (
    (a.stance === 'violation' && b.stance === 'compliance') ||
    (a.stance === 'compliance' && b.stance === 'violation')
  )
    set('stance_opposite_sure', stanceSure);
  const topA = top(ta);
  const topB = top(tb);
  if (topA !== topB) set('terms_differ_sure', Math.min(ta[topA!] ?? 0, tb[topB!] ?? 0) * (1 - tc));
  const names = intersectCount(a.names ?? [], b.names ?? []);
  set('names_shared', Math.min(names, 4) / 4);
  if (a.language !== b.language) set('names_cross_language', Math.min(names, 4) / 4);
  if ((a.length ?? 0) >= 40 && (b.length ?? 0) >= 40) {
    set('long_pair');
    if (gapH <= 24) set('long_and_day');
    else if (gapH <= 48) set('long_and_two_days');
  }
  return { vector: v, km, gapH };
}
