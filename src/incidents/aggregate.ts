// An incident's aggregate and running tally as stored: a report joining folds into the tally (joinIncidents: one
// locking read of the incidents' tallies and one write, whatever their size), while merge, split, reprocessing and
// corrections recompute both from all the members (recomputeIncident[s]). The caller passes its transaction so the
// aggregate always matches the membership it just changed. The rules themselves live in aggregate-rules.ts.
import { Prisma } from '../db/client.ts';
import { computeIncidentAggregate, type AggregateMember, type IncidentAggregate, type IncidentCorrection } from './aggregate-rules.ts';
import { addMember, aggregateFromTally, emptyTally, tallyOf, type Tally } from './tally.ts';

export { computeIncidentAggregate, incidentSeverity, MAX_SEVERITY } from './aggregate-rules.ts';
export type { AggregateMember, IncidentAggregate, IncidentCorrection } from './aggregate-rules.ts';
export { aggregateFromTally, tallyOf, type Tally } from './tally.ts';

type MemberRow = AggregateMember & { incidentId: string; member: boolean };

const MEMBER_COLUMNS = Prisma.raw(`r."id" IS NOT NULL AS member, r."lat", r."lon", r."resolvedLat", r."resolvedLon", r."geoCell",
  r."placeName", r."resolvedPlace", r."observedAt", r."language", r."partyAlleged"::text AS "partyAlleged", r."casualties",
  r."terms", r."stance"::text AS stance, r."confidence"`);

/** Locks incidents in id order (two transactions touching the same incidents queue instead of deadlocking). */
async function lockForAggregate(tx: Prisma.TransactionClient, ids: string[]) {
  return tx.$queryRaw<Array<{ id: string; correction: unknown; tally: Tally | null }>>`
    SELECT "id"::text AS id, "correction", "tally" FROM "Incident" WHERE "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE`;
}

/** Recomputes one incident from all its members. */
export async function recomputeIncident(tx: Prisma.TransactionClient, incidentId: string): Promise<void> {
  await recomputeIncidents(tx, [incidentId]);
}

/**
 * Recomputes incidents from all their members: the incidents are locked first and their members read in the next
 * statement, which (READ COMMITTED) then sees every member committed by a transaction that held the lock before.
 * An incident left without reports keeps its last position and time span (history and audit still point at it)
 * with reportCount 0 and an empty tally.
 */
export async function recomputeIncidents(tx: Prisma.TransactionClient, incidentIds: string[]): Promise<void> {
  const ids = [...new Set(incidentIds)].sort();
  if (!ids.length) return;
  const locked = await lockForAggregate(tx, ids);
  const rows = await tx.$queryRaw<MemberRow[]>`
    SELECT r."incidentId"::text AS "incidentId", ${MEMBER_COLUMNS} FROM "Report" r
    WHERE r."incidentId" = ANY(${ids}::uuid[]) ORDER BY r."incidentId", r."observedAt", r."id"`;
  const byIncident = new Map<string, AggregateMember[]>();
  for (const r of rows) {
    const list = byIncident.get(r.incidentId);
    if (list) list.push(r); else byIncident.set(r.incidentId, [r]);
  }
  await writeAggregates(tx, locked.map(({ id, correction }) => {
    const members = byIncident.get(id) ?? [];
    return members.length
      ? { id, a: computeIncidentAggregate(members, correction as IncidentCorrection | null), tally: tallyOf(members) }
      : { id, a: null, tally: emptyTally() };
  }));
}

/**
 * New members join incidents: their contributions are folded into each incident's tally and the aggregate derived
 * from it, without reading the incident's other members. The joiners' report rows must already point at the
 * incident (a full recompute, for an incident written before tallies existed, reads them there).
 */
export async function joinIncidents(tx: Prisma.TransactionClient, joins: Map<string, AggregateMember[]>): Promise<void> {
  const ids = [...joins.keys()].sort();
  if (!ids.length) return;
  const locked = await lockForAggregate(tx, ids);
  const untallied: string[] = [];
  const updates: Array<{ id: string; a: IncidentAggregate; tally: Tally }> = [];
  for (const { id, correction, tally } of locked) {
    if (!tally) { untallied.push(id); continue; }
    for (const m of joins.get(id)!) addMember(tally, m);
    updates.push({ id, a: aggregateFromTally(tally, correction as IncidentCorrection | null), tally });
  }
  await writeAggregates(tx, updates);
  if (untallied.length) await recomputeIncidents(tx, untallied);
}

/** Writes many aggregates and tallies in one statement; a null aggregate is an incident left without reports. */
export async function writeAggregates(tx: Prisma.TransactionClient, updates: Array<{ id: string; a: IncidentAggregate | null; tally: Tally }>): Promise<void> {
  if (!updates.length) return;
  const list = JSON.stringify(updates.map(({ id, a, tally }) => (a ? { id, empty: false, tally, ...a } : { id, empty: true, tally })));
  await tx.$executeRaw`UPDATE "Incident" i SET
      "terms" = CASE WHEN v.empty THEN i."terms" ELSE v.terms END,
      "stance" = CASE WHEN v.empty THEN i."stance" ELSE v.stance::"Stance" END,
      "parties" = CASE WHEN v.empty THEN i."parties" ELSE v.parties END,
      "confidence" = CASE WHEN v.empty THEN i."confidence" ELSE v.confidence END,
      "severity" = CASE WHEN v.empty THEN 0 ELSE v.severity END,
      "lat" = CASE WHEN v.empty THEN i."lat" ELSE v.lat END,
      "lon" = CASE WHEN v.empty THEN i."lon" ELSE v.lon END,
      "geoCell" = CASE WHEN v.empty THEN i."geoCell" ELSE v."geoCell" END,
      "placeName" = CASE WHEN v.empty THEN i."placeName" ELSE v."placeName" END,
      "firstObservedAt" = CASE WHEN v.empty THEN i."firstObservedAt" ELSE v."firstObservedAt" END,
      "lastObservedAt" = CASE WHEN v.empty THEN i."lastObservedAt" ELSE v."lastObservedAt" END,
      "reportCount" = CASE WHEN v.empty THEN 0 ELSE v."reportCount" END,
      "languages" = CASE WHEN v.empty THEN '{}' ELSE v.languages END,
      "summary" = CASE WHEN v.empty THEN i."summary" ELSE v.summary END,
      "tally" = v.tally,
      "updatedAt" = now()
    FROM jsonb_to_recordset(${list}::jsonb) AS v(id uuid, empty boolean, terms text[], stance text, parties text[], confidence float8,
      severity int, lat float8, lon float8, "geoCell" text, "placeName" text, "firstObservedAt" timestamptz, "lastObservedAt" timestamptz,
      "reportCount" int, languages text[], summary text, tally jsonb)
    WHERE i."id" = v.id`;
}

/** Opens incidents with their aggregates and tallies in one statement; ids are chosen by the caller (null: the
 * database's), and the ids are returned in the order given. */
export async function insertIncidents(tx: Prisma.TransactionClient, members: Array<{ id?: string; members: AggregateMember[] }>): Promise<string[]> {
  if (!members.length) return [];
  const list = JSON.stringify(members.map(({ id, members: ms }, i) => {
    const tally = tallyOf(ms);
    return { i, id: id ?? null, tally, ...aggregateFromTally(tally, null) };
  }));
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Incident" ("id", "terms", "stance", "parties", "confidence", "severity", "lat", "lon", "geoCell", "placeName",
      "firstObservedAt", "lastObservedAt", "reportCount", "languages", "summary", "tally", "updatedAt")
    SELECT COALESCE(v.id, gen_random_uuid()), v.terms, v.stance::"Stance", v.parties, v.confidence, v.severity, v.lat, v.lon, v."geoCell",
      v."placeName", v."firstObservedAt", v."lastObservedAt", v."reportCount", v.languages, v.summary, v.tally, now()
    FROM jsonb_to_recordset(${list}::jsonb) AS v(i int, id uuid, terms text[], stance text, parties text[], confidence float8,
      severity int, lat float8, lon float8, "geoCell" text, "placeName" text, "firstObservedAt" timestamptz, "lastObservedAt" timestamptz,
      "reportCount" int, languages text[], summary text, tally jsonb)
    ORDER BY v.i
    RETURNING "id"::text AS id`;
  return rows.map((r) => r.id);
}
