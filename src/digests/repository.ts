// Reads what a digest is compiled from. Incidents come one by one (each may be a map point or a notable
// incident); reports are counted in SQL by local day, language and terms, which keeps a week of 100k
// reports to a few hundred rows instead of 100k hydrated objects.
import type { Db } from '../db/client.ts';
import type { Period } from './period.ts';
import type { DigestIncident, DigestInput, DigestReportGroup } from './types.ts';

/**
 * Incidents whose observation span overlaps [from, to) and the reports observed in it, leaving out incidents
 * merged into another (their reports count under the survivor) and reports not yet placed in an incident.
 */
export async function loadDigestInput(db: Db, { from, to, timezone = 'Africa/Tripoli' }: Period & { timezone?: string }): Promise<DigestInput> {
  const [incidents, reportGroups] = await Promise.all([
    db.$queryRaw<DigestIncident[]>`
      SELECT id::text, state::text AS state, terms, stance::text AS stance, parties, "placeName", lat, lon,
             "firstObservedAt", "lastObservedAt", "reportCount", severity,
             CASE WHEN state = 'verified' THEN summary END AS summary -- only verified incidents are quoted
      FROM "Incident"
      WHERE "mergedIntoId" IS NULL AND "firstObservedAt" < ${to} AND "lastObservedAt" >= ${from}`,
    db.$queryRaw<DigestReportGroup[]>`
      SELECT to_char(r."observedAt" AT TIME ZONE ${timezone}, 'YYYY-MM-DD') AS day, r.language, r.terms, count(*)::int AS count
      FROM "Report" r
      WHERE r."observedAt" >= ${from} AND r."observedAt" < ${to} AND r."incidentId" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "Incident" i WHERE i.id = r."incidentId" AND i."mergedIntoId" IS NOT NULL)
      GROUP BY 1, 2, 3`,
  ]);
  return { incidents, reportGroups };
}
