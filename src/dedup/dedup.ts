// Incident assignment: candidates come only from blocking (space cells × time window, the place key of
// name-only reports, attachment hashes) through an abstract store, so per-report cost stays flat as the
// store grows. The decision is pure: best candidate above a threshold, else a new incident.
import { blockKey, neighbourCells, type ReportFeatures } from './features.ts';
import { photoMatch } from './photos.ts';
import { compareReports, MAX_INCIDENT_SPAN_H, scorePair } from './similarity.ts';
import type { PairModel } from './pair-model.ts';

export interface CandidateQuery {
  cells: string[];
  from: Date;
  to: Date;
  placeKey?: string;
  attachmentHashes: string[];
  /**
   * The report has no coordinates of its own: it is also compared with the reports nearest to it in time, wherever
   * they are (a bounded read), not only with those in its place's cells.
   */
  anywhere?: boolean;
}

export interface CandidateIncident {
  id: string;
  /** Features of member reports (or a bounded sample / aggregate of them). */
  members: ReportFeatures[];
  /** Incidents a reviewer declared separate from this one. */
  separatedFrom: string[];
  /**
   * When the incident's first and last reports were observed (ms since the epoch), all members counted, also those
   * the lookup did not read: joining must not stretch it past MAX_INCIDENT_SPAN_H.
   */
  span?: { first: number; last: number };
}

export interface IncidentCandidateStore {
  findCandidates(q: CandidateQuery): Promise<CandidateIncident[]>;
}

export interface DedupOptions {
  /** The learned pair model; without one, pairs are weighed by the hand-set rules. */
  pairModel?: PairModel | null;
  /** Minimum pair score to join an incident (with a pair model: its probability threshold). */
  threshold?: number;
  /** Half-width of the time window searched around a report. */
  windowHours?: number;
  /** Incidents this report must not join (a reviewer split it out of them). */
  excludeIncidentIds?: string[];
  /**
   * Pair scores already computed with this same model, for replays that assign one group many times over (the
   * threshold search: every trial meets the same pairs). Never set by the workers: a memo would grow without end.
   */
  pairScores?: PairScoreMemo;
}

export type PairScoreMemo = WeakMap<ReportFeatures, Map<ReportFeatures, { score: number; veto: string | null }>>;

function memoScore(memo: PairScoreMemo, f: ReportFeatures, m: ReportFeatures, model: PairModel | null) {
  let row = memo.get(f);
  if (!row) memo.set(f, (row = new Map()));
  let p = row.get(m);
  if (!p) row.set(m, (p = scorePair(f, m, model)));
  return p;
}

export interface Assignment {
  incidentId: string | null;
  score: number;
  reasons: string[];
  /**
   * Other incidents this report matches as strongly as the pair model's merge threshold: the report ties them to
   * the chosen one (two halves of one event that arrived in an order where they did not recognise each other).
   */
  merge?: string[];
}

export const DEFAULT_THRESHOLD = 3.5;
export const DEFAULT_WINDOW_HOURS = 36;

/** The blocking query for a report: its cells and those of the places it names, ± the time window. */
export function candidateQuery(f: ReportFeatures, opts: DedupOptions = {}): CandidateQuery {
  const t = Date.parse(f.observedAt);
  const w = (opts.windowHours ?? DEFAULT_WINDOW_HOURS) * 3_600_000;
  const cells = new Set<string>();
  for (const c of f.cells) for (const n of neighbourCells(c)) cells.add(n);
  const key = blockKey(f);
  return {
    cells: [...cells].sort(),
    from: new Date(t - w),
    to: new Date(t + w),
    placeKey: key ?? undefined,
    attachmentHashes: f.attachmentHashes,
    // Without a position of its own (a place name, or nothing), a report is also compared with the reports nearest
    // in time wherever they are: the others may have named the place differently or given coordinates instead.
    ...(f.positionSource !== 'coordinates' ? { anywhere: true } : {}),
  };
}

type Span = { first: number; last: number };
const widen = (a: Span | undefined, b: Span): Span =>
  a ? { first: Math.min(a.first, b.first), last: Math.max(a.last, b.last) } : b;
const hoursOf = (s: Span) => (s.last - s.first) / 3_600_000;

function spanVeto(c: CandidateIncident, t: number): string | null {
  if (!c.span) return null;
  const hours = hoursOf(widen(c.span, { first: t, last: t }));
  return hours > MAX_INCIDENT_SPAN_H
    ? `the incident would span ${Math.round(hours)} h (more than ${MAX_INCIDENT_SPAN_H})`
    : null;
}

/** Pair scores are kept to three decimals (similarity.ts): a blend of them is too. */
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Join the best-scoring candidate incident above the threshold, or start a new incident (null).
 * A candidate is scored by its most similar member, blended with the mean over its members when the pair model
 * says so (PairModel.linkage); any member that vetoes (different day, opposite stance, different terms) rules the
 * incident out, so merged incidents stay internally consistent.
 */
export function decideAssignment(
  f: ReportFeatures,
  candidates: CandidateIncident[],
  opts: DedupOptions = {},
): Assignment {
  const model = opts.pairModel ?? null;
  const threshold = opts.threshold ?? model?.threshold ?? DEFAULT_THRESHOLD;
  const excluded = new Set(opts.excludeIncidentIds ?? []);
  // Each incident is scored by its closest member, blended with the mean over its members when the model says so;
  // the closest pair alone is put into words for the reviewer (reasonsFor), with the blend when there is one, and
  // only for the incidents the answer names.
  type Scored = Assignment & { member?: ReportFeatures; blend?: string };
  const linkage = model?.linkage ?? 1;
  const reasonsFor = (m: ReportFeatures) => compareReports(f, m, model).reasons;
  // The closest pair in words, after the blend that scored the incident when there was one.
  const explain = (m: ReportFeatures, blend: string | undefined) => [...(blend ? [blend] : []), ...reasonsFor(m)];
  // Every candidate above the threshold, best first: a report that matches two incidents may be the link between
  // two halves of one event that arrived in an order where they did not recognise each other; it joins the
  // better one, and reviewers are told about the other.
  const matches: Scored[] = [];
  let bestRejected: Scored | null = null;
  // Reviewers read these reasons: "nothing nearby" and "nearby but ruled out" call for different checks.
  let firstVeto: { id: string; veto: string } | null = null;
  const byPhoto = new Set<string>();
  const reportTime = Date.parse(f.observedAt);
  for (const c of candidates) {
    if (excluded.has(c.id) || c.members.length === 0) continue;
    let top: { score: number; member: ReportFeatures } | null = null;
    let sum = 0;
    let compared = 0;
    // A lookup reads only the members near the report in time, so a place reported every day could chain into one
    // incident over weeks, each report close to the last; the incident's own first and last times stop that.
    let veto = spanVeto(c, reportTime);
    let photo: { distance: number } | null = null;
    const photos = !!f.photoHashes?.length;
    for (const m of c.members) {
      const seen = photos ? photoMatch(f, m) : null;
      if (seen && (!photo || seen.distance < photo.distance)) photo = seen;
      // Once a member vetoes, only the other members' photos are still worth looking at.
      if (veto) continue;
      const p = opts.pairScores ? memoScore(opts.pairScores, f, m, model) : scorePair(f, m, model);
      if (p.veto) {
        veto = p.veto;
        if (!photos) break;
        continue;
      }
      sum += p.score;
      compared++;
      if (!top || p.score > top.score) top = { score: p.score, member: m };
    }
    // One member alike is not enough when the rest of the incident is not (PairModel.linkage).
    let blend: string | undefined;
    if (top && compared > 1 && linkage < 1) {
      const mean = sum / compared;
      const score = round3(linkage * top.score + (1 - linkage) * mean);
      blend = `scored ${score}: closest report ${top.score}, mean over the ${compared} reports compared ${round3(mean)}`;
      top = { score, member: top.member };
    }
    // Same photo ⇒ same incident (src/dedup/photos.ts): a near-identical picture outweighs the text's score and vetoes.
    if (photo) {
      byPhoto.add(c.id);
      matches.push({
        incidentId: c.id,
        score: Math.max(veto ? 0 : (top?.score ?? 0), threshold),
        reasons: [
          `same photo as a report of this incident (${photo.distance} of 64 bits differ)`,
          ...(veto || !top ? [] : explain(top.member, blend)),
        ],
      });
      continue;
    }
    if (veto) {
      firstVeto ??= { id: c.id, veto };
      continue;
    }
    if (!top) continue;
    if (top.score >= threshold)
      matches.push({ incidentId: c.id, score: top.score, reasons: [], member: top.member, blend });
    else if (!bestRejected || top.score > bestRejected.score)
      bestRejected = { incidentId: c.id, score: top.score, reasons: [], member: top.member, blend };
  }
  // A photo match outranks any text score (the same picture is the stronger evidence); then best score first. Stable:
  // of equal scores the candidate met first wins, as before.
  matches.sort((a, b) => Number(byPhoto.has(b.incidentId!)) - Number(byPhoto.has(a.incidentId!)) || b.score - a.score);
  const [first, ...also] = matches;
  const best: Assignment | undefined = first && {
    incidentId: first.incidentId,
    score: first.score,
    reasons: first.member ? explain(first.member, first.blend) : first.reasons,
  };
  if (best && model) {
    // Merged only when the report ties them firmly and no reviewer has said the two are separate incidents.
    // And only while the incident they make stays within the span a join may give it: each candidate passed
    // spanVeto alone, but two incidents either side of the report can together reach further (best first).
    // No two of the incidents that end up together may be ones a reviewer separated: each further one is checked
    // against the chosen incident and every one already taken, from both sides (a report tying A, B and C must not
    // merge B and C into A when a reviewer split C from B).
    const bestIncident = candidates.find((c) => c.id === best.incidentId);
    const together = [best.incidentId!];
    const separated = new Set(bestIncident?.separatedFrom ?? []);
    let span = widen(bestIncident?.span, { first: reportTime, last: reportTime });
    const merge: string[] = [];
    for (const m of also) {
      const c = candidates.find((x) => x.id === m.incidentId);
      if (m.score < model.mergeThreshold || separated.has(m.incidentId!)) continue;
      if (together.some((id) => (c?.separatedFrom ?? []).includes(id))) continue;
      const wider = widen(c?.span, span);
      if (hoursOf(wider) > MAX_INCIDENT_SPAN_H) continue;
      span = wider;
      merge.push(m.incidentId!);
      together.push(m.incidentId!);
      for (const id of c?.separatedFrom ?? []) separated.add(id);
    }
    const rest = also.filter((m) => !merge.includes(m.incidentId!));
    return {
      ...best,
      reasons: [
        ...best.reasons,
        ...merge.map((id) => `ties incident ${id} to this one: merged`),
        ...rest.map(
          (m) => `also matches incident ${m.incidentId} (score ${m.score}): possibly the same incident, merge if so`,
        ),
      ],
      ...(merge.length ? { merge } : {}),
    };
  }
  if (best) {
    return also.length
      ? {
          ...best,
          reasons: [
            ...best.reasons,
            ...also.map(
              (m) =>
                `also matches incident ${m.incidentId} (score ${m.score}): possibly the same incident, merge if so`,
            ),
          ],
        }
      : best;
  }
  if (bestRejected) {
    return {
      incidentId: null,
      score: bestRejected.score,
      reasons: [
        `new incident: closest ${bestRejected.incidentId} scored ${bestRejected.score} < ${threshold}`,
        ...explain(bestRejected.member!, bestRejected.blend),
      ],
    };
  }
  if (firstVeto)
    return {
      incidentId: null,
      score: 0,
      reasons: [`new incident: nearby ${firstVeto.id} ruled out (${firstVeto.veto})`],
    };
  return { incidentId: null, score: 0, reasons: ['no candidate incident nearby in space and time'] };
}
