// The commission's queue: a filtered, sorted, keyset-paginated page of incidents with per-state counts,
// the map's point set, and the list of commission members incidents can be assigned to.
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { activeCommissionMembers } from '../users/repository.ts';
import { baseWhere, INCIDENT_STATES, QueueFilters, incidentWhere, type IncidentStateName } from './filters.ts';
import { countByState, findIncidentPage, mapPoints } from './repository.ts';
import { afterCursor, encodeCursor, orderBy, SORTS } from './sort.ts';
import { incidentSummary, placeNameAr } from './view.ts';
import { newSinceVerification } from './since-verified.ts';

export const QueueQuery = QueueFilters.extend({
  sort: z.enum(SORTS).default('-severity'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(300)
    .optional()
    .meta({ description: 'Opaque cursor from the previous page (same filters and sort).' }),
}).strict();
export type QueueQuery = z.infer<typeof QueueQuery>;

export async function listQueue(db: Db, q: QueueQuery, tz: string) {
  const where = incidentWhere(q, tz);
  const pageWhere = q.cursor ? { AND: [where, afterCursor(q.sort, q.cursor)] } : where;
  const [rows, counts] = await Promise.all([
    findIncidentPage(db, pageWhere, orderBy(q.sort), q.limit + 1),
    stateCounts(db, q, tz),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const since = await newSinceVerification(db, page);
  return {
    items: page.map((i) => ({ ...incidentSummary(i), newSinceVerified: since.get(i.id)?.reports.length ?? 0 })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(q.sort, last) : null,
    counts,
  };
}

/** Counts per state over the filtered set, the state filter aside: the tabs show what each state holds. */
export async function stateCounts(db: Db, f: QueueFilters, tz: string): Promise<Record<IncidentStateName, number>> {
  const groups = await countByState(db, { AND: baseWhere(f, tz) });
  const counts = Object.fromEntries(INCIDENT_STATES.map((s) => [s, 0])) as Record<IncidentStateName, number>;
  for (const g of groups) counts[g.state] = g._count._all;
  return counts;
}

export const MAP_CAP = 20_000;

export const MapFilters = QueueFilters.extend({
  ids: z
    .string()
    .transform((v, ctx) => {
      const ids = [...new Set(v.split(',').map((s) => s.trim()))].filter(Boolean);
      if (ids.length > 500) ctx.addIssue({ code: 'custom', message: 'at most 500 ids' });
      for (const id of ids)
        if (!z.string().uuid().safeParse(id).success) ctx.addIssue({ code: 'custom', message: `not an id: ${id}` });
      return ids;
    })
    .optional()
    .meta({
      description:
        'Only these incidents (ids separated by commas, at most 500), when they match the other filters: a live map asks for the incidents an event named, and removes those not returned.',
    }),
});
export type MapFilters = z.infer<typeof MapFilters>;

/** Incident points for the map, most severe first when the cap cuts the set. */
export async function mapFeatures(db: Db, f: MapFilters, tz: string, cap = MAP_CAP) {
  const where = incidentWhere(f, tz);
  const rows = await mapPoints(db, f.ids ? { AND: [where, { id: { in: f.ids } }] } : where, cap + 1);
  return {
    type: 'FeatureCollection' as const,
    truncated: rows.length > cap,
    features: rows.slice(0, cap).map(({ lat, lon, ...p }) => ({
      type: 'Feature' as const,
      id: p.id,
      geometry: { type: 'Point' as const, coordinates: [lon!, lat!] },
      properties: { ...p, placeNameAr: placeNameAr(p.placeName), firstObservedAt: p.firstObservedAt.toISOString() },
    })),
  };
}

export async function listAssignees(db: Db) {
  return activeCommissionMembers(db);
}
