// The queue's filters: one zod schema for the query string, shared by the queue, the map and the exports,
// and its translation into a Prisma where clause on Incident.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { Prisma } from '../db/client.ts';
import { activeAgreement } from '../agreements/index.ts';
import { reviewThresholdOf } from '../classify/model/index.ts';
import { likeLiteral } from '../db/like.ts';
import { INSTANT_RANGE_REASON, isStorableInstant } from '../db/instants.ts';
import { loadGazetteer, placeSpellings } from '../classify/places.ts';

export const INCIDENT_STATES = ['new', 'under_review', 'verified', 'rejected', 'needs_info'] as const;
export type IncidentStateName = (typeof INCIDENT_STATES)[number];
export const STANCES = ['violation', 'compliance', 'information'] as const;

// A date without a time is a whole day in the agreement's zone, so `to=2020-11-30` includes the 30th in Libya; a time
// must say its offset, or it would be read in whatever zone the server runs in. Nothing else is a date here: Date.parse
// takes "foo T 2020" and rolls 2020-02-30 over to March, which the day reading cannot (an invalid date, a 500).
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;
const SHAPE_REASON = 'YYYY-MM-DD, or an ISO 8601 date-time with its offset (2020-11-14T10:30:00+02:00 or …Z)';

/** The day or instant a valid value names (a day at its start in UTC: only the range is checked on it). */
const parsed = (v: string) => DateTime.fromISO(v, DAY.test(v) ? { zone: 'UTC' } : { setZone: true });

/** Why `v` is not a day or an instant with its offset, or null when it is one. */
function dayOrInstantProblem(v: string): string | null {
  const day = DAY.test(v);
  if (!day && !DATE_TIME.test(v)) return SHAPE_REASON;
  if (!day && !HAS_OFFSET.test(v))
    return "a date-time needs its offset (Z or ±hh:mm); a date alone is a whole day in the agreement's zone";
  const at = parsed(v);
  if (!at.isValid) return 'not a calendar date or time';
  return isStorableInstant(at.toMillis()) ? null : INSTANT_RANGE_REASON;
}

export const DayOrInstant = z.string().superRefine((v, ctx) => {
  const reason = dayOrInstantProblem(v);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
});

/** A yes/no filter as a query string carries it. */
export const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
const csvOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().transform((v, ctx) => {
    const parts = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const p of parts)
      if (!(values as readonly string[]).includes(p)) ctx.addIssue({ code: 'custom', message: `unknown value ${p}` });
    return parts as Array<T[number]>;
  });

export const QueueFilters = z.object({
  state: csvOf(INCIDENT_STATES).optional().meta({ description: 'One state, or several separated by commas.' }),
  term: z.string().trim().min(1).max(64).optional().meta({ description: 'Agreement term id the incident is about.' }),
  stance: z.enum(STANCES).optional(),
  party: z.string().trim().min(1).max(32).optional(),
  place: z.string().trim().min(1).max(200).optional().meta({
    description:
      'Substring of the place name (case-insensitive), in either script: a gazetteer place it names matches by its English and Arabic names.',
  }),
  bbox: z
    .string()
    .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/, 'minLon,minLat,maxLon,maxLat')
    .optional(),
  from: DayOrInstant.optional().meta({
    description: 'Incidents still going on at or after this instant (a date: start of that day, Africa/Tripoli).',
  }),
  to: DayOrInstant.optional().meta({
    description: 'Incidents begun before this instant (a date: that whole day included).',
  }),
  language: z.enum(['en', 'ar']).optional(),
  minConfidence: z.coerce.number().min(0).max(1).optional(),
  needsReview: QueryBoolean.optional().meta({
    description: '`true`: only incidents whose automatic reading the model is unsure of and nobody corrected.',
  }),
  assigneeId: z
    .union([z.string().uuid(), z.literal('none')])
    .optional()
    .meta({ description: 'A user id, or `none` for unassigned incidents.' }),
});
export type QueueFilters = z.infer<typeof QueueFilters>;

/** The instant a DayOrInstant value names: a day starts (`from`) or ends (`to`) at midnight in `tz`. */
export function toInstant(value: string, edge: 'from' | 'to', tz: string): Date {
  if (!DAY.test(value)) return parsed(value).toJSDate();
  const day = DateTime.fromISO(value, { zone: tz });
  return (edge === 'from' ? day : day.plus({ days: 1 })).toJSDate();
}

/** Everything but `state`, so the per-state counts can be taken over the same set. */
export function baseWhere(f: QueueFilters, tz: string): Prisma.IncidentWhereInput[] {
  // Merged-away incidents live on only as pointers to the one they were merged into; an incident whose every report
  // was erased (src/erasure) keeps its page and history but no longer counts anywhere (queue, map, exports).
  const and: Prisma.IncidentWhereInput[] = [{ mergedIntoId: null }, { reportCount: { gt: 0 } }];
  if (f.term) and.push({ terms: { has: f.term } });
  if (f.stance) and.push({ stance: f.stance });
  if (f.party) and.push({ parties: { has: f.party } });
  if (f.language) and.push({ languages: { has: f.language } });
  if (f.place)
    and.push({
      OR: placeSpellings(f.place, loadGazetteer(activeAgreement().gazetteer)).map((name) => ({
        placeName: { contains: likeLiteral(name), mode: 'insensitive' as const },
      })),
    });
  if (f.minConfidence !== undefined) and.push({ confidence: { gte: f.minConfidence } });
  if (f.needsReview !== undefined) and.push(needsReviewWhere(f.needsReview));
  if (f.assigneeId) and.push({ assigneeId: f.assigneeId === 'none' ? null : f.assigneeId });
  if (f.from) and.push({ lastObservedAt: { gte: toInstant(f.from, 'from', tz) } });
  if (f.to) and.push({ firstObservedAt: { lt: toInstant(f.to, 'to', tz) } });
  if (f.bbox) {
    const [minLon, minLat, maxLon, maxLat] = f.bbox.split(',').map(Number) as [number, number, number, number];
    and.push({ lat: { gte: minLat, lte: maxLat }, lon: { gte: minLon, lte: maxLon } });
  }
  return and;
}

/** The same rule as the summary's `needsReview` (view.ts), as a where clause. */
function needsReviewWhere(wanted: boolean): Prisma.IncidentWhereInput {
  const threshold = reviewThresholdOf(activeAgreement().id);
  if (threshold === null) return wanted ? { id: { in: [] } } : {};
  if (wanted) return { confidence: { lt: threshold }, correction: { equals: Prisma.DbNull } };
  // Spelled out rather than NOT(...): SQL's NOT of a comparison with a null confidence is null, not true.
  return { OR: [{ confidence: null }, { confidence: { gte: threshold } }, { correction: { not: Prisma.DbNull } }] };
}

export function incidentWhere(f: QueueFilters, tz: string): Prisma.IncidentWhereInput {
  const and = baseWhere(f, tz);
  if (f.state?.length) and.push({ state: { in: f.state } });
  return { AND: and };
}
