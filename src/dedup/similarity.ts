// Pairwise evidence that two reports describe the same real-world incident. Every signal is language
// independent (positions, named places, time, terms, stance, counts, nationalities, concepts, attachments),
// so an Arabic and an English report of one event score like two English ones.
import { haversineKm } from '../classify/places.ts';
import type { ReportFeatures } from './features.ts';
import { pairProbability, pairScore, type PairModel } from './pair-model.ts';
import { gapHours, sharedNumbers } from './pair.ts';

export interface PairScore {
  score: number;
  /** Set when the pair cannot be one incident whatever the score (different day, opposite stance...). */
  veto: string | null;
  reasons: string[];
}

const HOUR = 3_600_000;
const round1 = (x: number) => Math.round(x * 10) / 10;
const intersect = <T>(a: T[], b: T[]) => a.filter((x) => b.includes(x));

// What a reviewer reads for a learned decision: the facts behind the features that weighed most.
function phrase(feature: string, a: ReportFeatures, b: ReportFeatures, weight: number): string | null {
  const sign = weight >= 0;
  switch (feature) {
    case 'same_place':
      return `same place ${a.placeKey}`;
    case 'shared_place':
      return `both name ${a.places.filter((p) => b.places.includes(p)).join(', ')}`;
    case 'skeleton_same':
    case 'skeleton_near':
      return `place names alike (${a.placeSkel}/${b.placeSkel})`;
    case 'term_top_same':
    case 'term_cosine':
    case 'close_and_term':
    case 'recent_and_term':
      return a.terms.join() === b.terms.join()
        ? `same terms ${a.terms.join(',')}`
        : `different terms ${a.terms.join(',')}/${b.terms.join(',')}`;
    case 'both_none':
    case 'one_none':
      return sign ? null : 'one is not ceasefire-related';
    case 'stance_same':
    case 'stance_cosine':
      return a.stance === b.stance ? `same stance ${a.stance}` : `stance differs (${a.stance}/${b.stance})`;
    case 'stance_opposite':
      return `opposite stance (${a.stance}/${b.stance})`;
    case 'numbers_shared':
      return `shared numbers ${sharedNumbers(a.numbers, b.numbers).join(',')}`;
    case 'numbers_conflict':
      return 'different numbers';
    case 'nationality_shared':
      return `same nationality ${a.nationalities.filter((n) => b.nationalities.includes(n)).join(',')}`;
    case 'nationality_conflict':
      return `different nationalities ${a.nationalities.join(',')}/${b.nationalities.join(',')}`;
    case 'party_conflict':
      return 'different parties';
    case 'concepts_jaccard':
    case 'concepts_shared':
      return sign
        ? `shared details ${a.concepts
            .filter((c) => b.concepts.includes(c))
            .slice(0, 5)
            .join(', ')}`
        : null;
    case 'words_near_identical':
      return 'near-identical text';
    case 'words_jaccard':
      return sign ? 'shared wording' : null;
    case 'attachment_shared':
      return 'same attachment';
    case 'close_and_recent':
      return 'close in space and time';
    case 'interactions':
      // The boosted trees (pair-trees.ts): a correction to the weights for what the features say together, so it
      // says which way it moved the score, not what the score is.
      return sign ? 'the details taken together raise the match' : 'the details taken together lower the match';
    default:
      return null;
  }
}

/**
 * The learned weighing: the model's probability that the two are one incident, with the facts behind it. Terms and
 * stance come in as the classifier's probabilities, so a wrong label on one report lowers the score instead of
 * ruling the pair out; only what no evidence can bridge stays a veto (a week apart, a reviewer's split).
 */
/**
 * No two reports of one incident are further apart than this: the learned comparison's veto, and the cap on an
 * incident's whole span (dedup.ts), which holds even for members a lookup no longer reads.
 */
export const MAX_INCIDENT_SPAN_H = 72;

function learnedVeto(a: ReportFeatures, b: ReportFeatures): string | null {
  if (a.routine && b.routine && a.eventDays[0] !== b.eventDays[0]) return 'routine reports of different days';
  const gapH = gapHours(a, b);
  return gapH > MAX_INCIDENT_SPAN_H ? `different days (${round1(gapH)} h apart)` : null;
}

function learnedCompare(a: ReportFeatures, b: ReportFeatures, m: PairModel): PairScore {
  const veto = learnedVeto(a, b);
  if (veto) return { score: 0, veto, reasons: [] };
  const r = pairProbability(m, a, b);
  const reasons = [`match probability ${r.p.toFixed(2)}`];
  if (r.km !== null) reasons.push(`distance ${round1(r.km)} km`);
  reasons.push(`time gap ${round1(r.gapH)} h`);
  for (const [f, w] of r.contributions) {
    if (reasons.length >= 7) break;
    const text = phrase(f, a, b, w);
    if (text && !reasons.includes(text)) reasons.push(text);
  }
  return { score: Math.round(r.p * 1000) / 1000, veto: null, reasons };
}

/**
 * The score and veto of compareReports without the reasons: a new report meets up to 40 incidents × 30 members, and
 * only the member that decides an incident's score needs its facts put into words (compareReports on that pair).
 */
export function scorePair(
  a: ReportFeatures,
  b: ReportFeatures,
  model?: PairModel | null,
): { score: number; veto: string | null } {
  if (!model) return compareReports(a, b, null);
  const veto = learnedVeto(a, b);
  if (veto) return { score: 0, veto };
  return { score: Math.round(pairScore(model, a, b) * 1000) / 1000, veto: null };
}

export function compareReports(a: ReportFeatures, b: ReportFeatures, model?: PairModel | null): PairScore {
  if (model) return learnedCompare(a, b, model);
  const reasons: string[] = [];
  const shared = intersect(a.attachmentHashes, b.attachmentHashes);
  if (shared.length) return { score: 10, veto: null, reasons: ['same attachment'] };

  const gapH = Math.abs(Date.parse(a.observedAt) - Date.parse(b.observedAt)) / HOUR;
  const sameDay = a.eventDays.some((d) => b.eventDays.includes(d));
  // Daily routine reports (one checkpoint, one report a day) filed on different calendar days are
  // different incidents, even when one mentions what happened "yesterday evening".
  if (a.routine && b.routine && a.eventDays[0] !== b.eventDays[0])
    return { score: 0, veto: 'routine reports of different days', reasons };
  const sharedTerms = intersect(a.terms, b.terms);
  const sharedPlaces = intersect(a.places, b.places);
  const samePlace = !!a.placeKey && a.placeKey === b.placeKey;
  const kmApart =
    a.lat != null && a.lon != null && b.lat != null && b.lon != null ? haversineKm(a.lat, a.lon, b.lat, b.lon) : null;
  const close = samePlace || (kmApart != null && kmApart <= 10);
  // Events on different days are different incidents — except a night event and the next morning's
  // site visit: close in space, within 12 h, same non-routine ceasefire terms.
  const overnight =
    close && gapH <= 12 && sharedTerms.length > 0 && !a.terms.includes('none') && !a.routine && !b.routine;
  if (!sameDay && gapH > 6 && !overnight)
    return { score: 0, veto: `different days (${round1(gapH)} h apart)`, reasons };
  // Terms and stance come from the classifier and can be wrong on one of two reports of the same event:
  // they weigh in the score, and rule a pair out only when nothing else ties the two reports together.
  const tied = close && gapH <= 8;
  const stances = new Set([a.stance, b.stance]);
  const opposite = stances.has('violation') && stances.has('compliance');
  if (sharedTerms.length === 0 && !tied)
    return {
      score: 0,
      veto: a.terms.includes('none') || b.terms.includes('none') ? 'not ceasefire-related' : 'different terms',
      reasons,
    };
  // A closure then a reopening at one checkpoint the same day are two incidents: opposite stances only
  // join within a few hours.
  if (opposite && !(tied && gapH <= 3)) return { score: 0, veto: `opposite stance (${a.stance}/${b.stance})`, reasons };

  let score = 0;
  if (a.lat != null && a.lon != null && b.lat != null && b.lon != null) {
    const km = haversineKm(a.lat, a.lon, b.lat, b.lon);
    // A position looked up from a typed name is a town centre: closeness to it is weaker evidence.
    const precise = a.positionSource === 'coordinates' && b.positionSource === 'coordinates';
    let s = km <= 2 ? 2 : km <= 5 ? 1.5 : km <= 10 ? 1 : km <= 20 ? 0.5 : km <= 40 ? 0 : -1.5;
    if (!precise) s = Math.min(s, 1);
    if (s < 0 && sharedPlaces.length) s = 0; // far apart, yet both name the same place (a flight, a convoy)
    score += s;
    reasons.push(`distance ${round1(km)} km`);
  }
  if (a.placeKey && a.placeKey === b.placeKey) {
    score += 1;
    reasons.push(`same place ${a.placeKey}`);
  } else if (sharedPlaces.length) {
    score += 0.8;
    reasons.push(`both name ${sharedPlaces.join(', ')}`);
  }

  // A later report placing its event on the earlier report's day ("yesterday evening") closes the gap
  // between an evening event and the next morning's account of it.
  const [earlier, later] = Date.parse(a.observedAt) <= Date.parse(b.observedAt) ? [a, b] : [b, a];
  const backReference = gapH <= 12 && later.eventDays.slice(1).includes(earlier.eventDays[0]);
  const timeScore = gapH <= 1 ? 1.5 : gapH <= 3 ? 1 : gapH <= 6 ? 0.3 : gapH <= 12 ? -0.7 : -1.5;
  score += backReference ? Math.max(timeScore, 0.3) : timeScore;
  reasons.push(`time gap ${round1(gapH)} h${backReference ? ' (the later report dates its event back)' : ''}`);

  const sameTerms = sharedTerms.length === a.terms.length && sharedTerms.length === b.terms.length;
  // A wrong term on one of two reports from the same place a few hours apart that share specifics
  // (counts, vehicle types, units) weighs less than a plain mismatch.
  const specifics = sharedNumbers(a.numbers, b.numbers).length + intersect(a.concepts, b.concepts).length;
  const termMismatch = tied && specifics >= 2 ? 1 : 2.5;
  if (sharedTerms.length === 0) {
    score -= termMismatch;
    reasons.push(`different terms ${a.terms.join(',')}/${b.terms.join(',')}`);
  } else {
    score += sameTerms ? 1.5 : 0.75;
    reasons.push(sameTerms ? 'same terms' : `shared terms ${sharedTerms.join(', ')}`);
  }
  if (a.stance === b.stance) {
    score += 0.5;
    reasons.push(`same stance ${a.stance}`);
  } else {
    score -= opposite ? 2 : gapH <= 3 ? 0.5 : 1.5;
    reasons.push(`stance differs (${a.stance}/${b.stance})`);
  }

  const nums = sharedNumbers(a.numbers, b.numbers);
  if (nums.length) {
    score += Math.min(1.2, 0.6 * nums.length);
    reasons.push(`shared numbers ${nums.join(',')}`);
  } else if (a.numbers.some((n) => n >= 3) && b.numbers.some((n) => n >= 3)) {
    score -= 0.5;
    reasons.push('different numbers');
  }

  if (a.nationalities.length && b.nationalities.length) {
    const n = intersect(a.nationalities, b.nationalities);
    if (n.length) {
      score += 0.5;
      reasons.push(`same nationality ${n.join(',')}`);
    } else {
      score -= 2;
      reasons.push(`different nationalities ${a.nationalities.join(',')}/${b.nationalities.join(',')}`);
    }
  }
  const knownParties = (p: string[]) => p.filter((x) => x === 'LAAF' || x === 'GNA');
  const pa = knownParties(a.parties);
  const pb = knownParties(b.parties);
  if (pa.length === 1 && pb.length === 1 && pa[0] !== pb[0]) {
    score -= 1;
    reasons.push(`different parties ${pa[0]}/${pb[0]}`);
  }

  const union = new Set([...a.concepts, ...b.concepts]);
  const common = intersect(a.concepts, b.concepts);
  if (union.size) {
    const j = common.length / union.size;
    // Shared specifics (vehicle types, units, place features) count in themselves, not only as a ratio.
    score += 2 * j + 0.25 * Math.min(common.length, 4);
    if (common.length) reasons.push(`shared details ${common.slice(0, 5).join(', ')}`);
  }
  return { score: round1(score), veto: null, reasons };
}
