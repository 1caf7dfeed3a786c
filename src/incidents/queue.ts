// The commission's queue: a filtered, sorted, keyset-paginated page of incidents with per-state counts,
// the map's point set, and the list of commission members incidents can be assigned to.
import type { Db } from '../db/client.ts';
import { z } from '../http/zod.ts';
import { baseWhere, INCIDENT_STATES, QueueFilters, incidentWhere, type IncidentStateName } from './filters.ts';
import { afterCursor, encodeCursor, orderBy, SORTS } from './sort.ts';
import { incidentSummary, summarySelect } from './view.ts';

export const QueueQuery = QueueFilters.extend({
  sort: z.enum(SORTS).default('-severity'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional().openapi({ description: 'Opaque cursor from the previous page (same filters and sort).' }),
}).strict();
export type QueueQuery = z.infer<typeof QueueQuery>;

export async function listQueue(db: Db, q: QueueQuery, tz: string) {
  const where = incidentWhere(q, tz);
  const pageWhere = q.cursor ? { AND: [where, afterCursor(q.sort, q.cursor)] } : where;
  const [rows, counts] = await Promise.all([
    db.incident.findMany({ where: pageWhere, orderBy: orderBy(q.sort), take: q.limit + 1, select: summarySelect }),
    stateCounts(db, q, tz),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(incidentSummary),
    nextCursor: rows.length > q.limit && last ? encodeCursor(q.sort, last) : null,
    counts,
  };
}

/** Counts per state over the filtered set, the state filter aside: the tabs show what each state holds. */
export async function stateCounts(db: Db, f: QueueFilters, tz: string): Promise<Record<IncidentStateName, number>> {
  const groups = await db.incident.groupBy({ by: ['state'], where: { AND: baseWhere(f, tz) }, _count: { _all: true } });
  const counts = Object.fromEntries(INCIDENT_STATES.map((s) => [s, 0])) as Record<IncidentStateName, number>;
  for (const g of groups) counts[g.state] = g._count._all;
  return counts;
}

export const MAP_CAP = 20_000;

/** Incident points for the map, most severe first when the cap cuts the set. */
export async function mapFeatures(db: Db, f: QueueFilters, tz: string, cap = MAP_CAP) {
  const rows = await db.incident.findMany({
    where: { AND: [incidentWhere(f, tz), { lat: { not: null } }, { lon: { not: null } }] },
    orderBy: [{ severity: 'desc' }, { id: 'desc' }],
    take: cap + 1,
    select: { id: true, state: true, terms: true, stance: true, reportCount: true, severity: true, lat: true, lon: true, placeName: true },
  });
  return {
    type: 'FeatureCollection' as const,
    truncated: rows.length > cap,
    features: rows.slice(0, cap).map(({ lat, lon, ...p }) => ({
      type: 'Feature' as const,
      id: p.id,
      geometry: { type: 'Point' as const, coordinates: [lon!, lat!] },
      properties: p,
    })),
  };
}

export async function listAssignees(db: Db) {
  return db.user.findMany({
    where: { role: 'commission', disabledAt: null },
    orderBy: { username: 'asc' },
    select: { id: true, username: true, displayName: true },
  });
}
