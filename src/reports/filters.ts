// The reports table's filters and orders (GET /api/reports) as Prisma query shapes on Report, which the repository
// runs. Each order is an index read backwards ((receivedAt, id), (observedAt, id)) that the filters narrow; the term
// filter has its GIN index for terms few reports carry, a date range under the observed order is an index range
// (prisma/migrations/*_report_list_indexes), and `flagged=true` reads a partial index of the flagged reports in each
// order (*_flagged_report_indexes). The place is a substring match with no index of its own: a text no report
// matches reads every report (a scan; see docs/http-contract.md).
import type { Prisma } from '../db/client.ts';
import { activeAgreement } from '../agreements/index.ts';
import { likeLiteral } from '../db/like.ts';
import { decodeCursor } from '../db/keyset.ts';
import { toInstant } from '../incidents/filters.ts';
import { loadGazetteer, placeSpellings } from '../classify/places.ts';
import type { ReportListQuery } from './schema.ts';

export type ReportFilters = Omit<ReportListQuery, 'limit' | 'cursor' | 'sort'>;
export type ReportSort = ReportListQuery['sort'];

export interface ReportScope {
  /** Set by the caller's policy: observers only ever list their own reports, whatever they ask. */
  onlyObserverId: string | null;
  /** The accounts the `observer` filter (part of a username) names, looked up beforehand. */
  observerIds?: string[];
}

export function reportWhere(q: ReportFilters, tz: string, scope: ReportScope): Prisma.ReportWhereInput[] {
  const and: Prisma.ReportWhereInput[] = [];
  if (scope.onlyObserverId) and.push({ observerId: scope.onlyObserverId });
  else if (q.observerId) and.push({ observerId: q.observerId });
  if (q.observer) and.push({ observerId: { in: scope.observerIds ?? [] } });
  if (q.from) and.push({ observedAt: { gte: toInstant(q.from, 'from', tz) } });
  if (q.to) and.push({ observedAt: { lt: toInstant(q.to, 'to', tz) } });
  if (q.status) and.push({ status: q.status });
  if (q.term) and.push({ terms: { has: q.term } });
  if (q.stance) and.push({ stance: q.stance });
  if (q.language) and.push({ language: q.language });
  if (q.source) and.push({ source: q.source });
  // Intake and the pipeline write `[]` when there is no doubt, never null. `NOT (flags = '[]')` is the predicate of the
  // partial indexes (flags <> '[]'), which the planner proves from it: change one, change the other.
  if (q.flagged !== undefined) and.push(q.flagged ? { NOT: { flags: { equals: [] } } } : { flags: { equals: [] } });
  if (q.place) {
    // "سرت" finds a report typed "Sirte" and the other way round: the gazetteer's names of the place in both scripts.
    const names = placeSpellings(q.place, loadGazetteer(activeAgreement().gazetteer));
    and.push({
      OR: names.flatMap((name) => [
        { placeName: { contains: likeLiteral(name), mode: 'insensitive' as const } },
        { resolvedPlace: { contains: likeLiteral(name), mode: 'insensitive' as const } },
      ]),
    });
  }
  if (q.bbox) {
    const [minLon, minLat, maxLon, maxLat] = q.bbox.split(',').map(Number);
    and.push({
      OR: [
        { lat: { gte: minLat, lte: maxLat }, lon: { gte: minLon, lte: maxLon } },
        { lat: null, resolvedLat: { gte: minLat, lte: maxLat }, resolvedLon: { gte: minLon, lte: maxLon } },
      ],
    });
  }
  return and;
}

const KEY = { '-received': 'receivedAt', '-observed': 'observedAt' } as const;

/** The instant a row is ordered by. */
export const sortInstant = (sort: ReportSort, row: { receivedAt: Date; observedAt: Date }): Date => row[KEY[sort]];

export const reportOrder = (sort: ReportSort): Prisma.ReportOrderByWithRelationInput[] => [
  { [KEY[sort]]: 'desc' },
  { id: 'desc' },
];

/** Rows after the cursor's in the order of `sort`; a cursor of the other order is a 400. */
export function afterCursor(sort: ReportSort, cursor: string): Prisma.ReportWhereInput {
  const c = decodeCursor(cursor, sort);
  const key = KEY[sort];
  return { OR: [{ [key]: { lt: c.at } }, { [key]: c.at, id: { lt: c.id } }] };
}
