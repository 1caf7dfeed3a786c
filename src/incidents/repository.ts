// The Incident table's one data-access module (with the comments, separations and merge pointers of incidents):
// every query and statement on incidents lives here, and no business rule does. The pipeline's writes take a SqlTx
// (raw SQL, also run on the worker's node-postgres transaction); the review's reads and writes use Prisma.
import type { Db, Prisma, SqlTx, Tx } from '../db/client.ts';
import { Conflict, NotFound } from '../errors.ts';
import type { AggregateMember, IncidentAggregate } from './aggregate.ts';
import type { IncidentStateName } from './filters.ts';
import { incidentSummary, summarySelect } from './view.ts';

// --- Aggregates: the members an aggregate is computed from, and the computed aggregate.

export type MemberRow = AggregateMember & { correction: unknown; member: boolean; incidentId: string };

// Members are read in a fixed order (observedAt, id): ties in the aggregate (the most named place, the member
// nearest the centroid) then go the same way whichever path or batch wrote the incident.

/** One incident's members (a row with member = false when it has none). */
export async function readMembers(tx: SqlTx, incidentId: string): Promise<MemberRow[]> {
  return tx.$queryRaw<MemberRow[]>`
    SELECT i."id" AS "incidentId", i."correction", r."id" IS NOT NULL AS member, r."lat", r."lon", r."resolvedLat", r."resolvedLon", r."geoCell",
      r."placeName", r."resolvedPlace", r."observedAt", r."language", r."partyAlleged"::text AS "partyAlleged", r."casualties",
      r."terms", r."stance"::text AS stance, r."confidence"
    FROM "Incident" i LEFT JOIN "Report" r ON r."incidentId" = i."id"
    WHERE i."id" = ${incidentId}::uuid
    ORDER BY r."observedAt", r."id"`;
}

/** The members of many incidents, taking the incidents' row locks in id order. */
export async function readMembersMany(tx: SqlTx, incidentIds: string[]): Promise<MemberRow[]> {
  return tx.$queryRaw<MemberRow[]>`
    SELECT i."id" AS "incidentId", i."correction", r."id" IS NOT NULL AS member, r."lat", r."lon", r."resolvedLat", r."resolvedLon",
      r."geoCell", r."placeName", r."resolvedPlace", r."observedAt", r."language", r."partyAlleged"::text AS "partyAlleged",
      r."casualties", r."terms", r."stance"::text AS stance, r."confidence"
    FROM "Incident" i LEFT JOIN "Report" r ON r."incidentId" = i."id"
    WHERE i."id" = ANY(${incidentIds}::uuid[])
    ORDER BY i."id", r."observedAt", r."id" FOR UPDATE OF i`;
}

/** An incident left without reports: no count, no languages, no severity. */
export async function markIncidentEmpty(tx: SqlTx, incidentId: string): Promise<void> {
  await tx.$executeRaw`UPDATE "Incident" SET "reportCount" = 0, "languages" = '{}', "severity" = 0, "updatedAt" = now() WHERE "id" = ${incidentId}::uuid`;
}

export async function writeAggregate(tx: SqlTx, incidentId: string, a: IncidentAggregate): Promise<void> {
  await tx.$executeRaw`UPDATE "Incident" SET "terms" = ${a.terms}::text[], "stance" = ${a.stance}::"Stance", "parties" = ${a.parties}::text[],
    "confidence" = ${a.confidence}, "severity" = ${a.severity}, "lat" = ${a.lat}, "lon" = ${a.lon}, "geoCell" = ${a.geoCell},
    "placeName" = ${a.placeName}, "firstObservedAt" = ${a.firstObservedAt}, "lastObservedAt" = ${a.lastObservedAt},
    "reportCount" = ${a.reportCount}, "languages" = ${a.languages}::text[], "summary" = ${a.summary}, "updatedAt" = now()
    WHERE "id" = ${incidentId}::uuid`;
}

/** Writes many aggregates in one statement; a null aggregate is an incident left without reports. */
export async function writeAggregates(tx: SqlTx, updates: Array<{ id: string; a: IncidentAggregate | null }>): Promise<void> {
  if (!updates.length) return;
  const list = JSON.stringify(updates.map(({ id, a }) => (a ? { id, empty: false, ...a } : { id, empty: true })));
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
      "updatedAt" = now()
    FROM jsonb_to_recordset(${list}::jsonb) AS v(id uuid, empty boolean, terms text[], stance text, parties text[], confidence float8,
      severity int, lat float8, lon float8, "geoCell" text, "placeName" text, "firstObservedAt" timestamptz, "lastObservedAt" timestamptz,
      "reportCount" int, languages text[], summary text)
    WHERE i."id" = v.id`;
}

/** Opens many incidents with their aggregates in one statement; ids are chosen by the caller. */
export async function insertIncidents(tx: SqlTx, rows: Array<{ id: string; a: IncidentAggregate }>): Promise<void> {
  if (!rows.length) return;
  const list = JSON.stringify(rows.map(({ id, a }) => ({ id, ...a })));
  await tx.$executeRaw`
    INSERT INTO "Incident" ("id", "terms", "stance", "parties", "confidence", "severity", "lat", "lon", "geoCell", "placeName",
      "firstObservedAt", "lastObservedAt", "reportCount", "languages", "summary", "updatedAt")
    SELECT v.id, v.terms, v.stance::"Stance", v.parties, v.confidence, v.severity, v.lat, v.lon, v."geoCell", v."placeName",
      v."firstObservedAt", v."lastObservedAt", v."reportCount", v.languages, v.summary, now()
    FROM jsonb_to_recordset(${list}::jsonb) AS v(id uuid, terms text[], stance text, parties text[], confidence float8,
      severity int, lat float8, lon float8, "geoCell" text, "placeName" text, "firstObservedAt" timestamptz, "lastObservedAt" timestamptz,
      "reportCount" int, languages text[], summary text)`;
}

/** Opens an incident with its aggregate already computed (one round trip instead of insert + recompute). */
export async function insertIncident(tx: SqlTx, a: IncidentAggregate): Promise<string> {
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Incident" ("terms", "stance", "parties", "confidence", "severity", "lat", "lon", "geoCell", "placeName",
      "firstObservedAt", "lastObservedAt", "reportCount", "languages", "summary", "updatedAt")
    VALUES (${a.terms}::text[], ${a.stance}::"Stance", ${a.parties}::text[], ${a.confidence}, ${a.severity}, ${a.lat}, ${a.lon},
      ${a.geoCell}, ${a.placeName}, ${a.firstObservedAt}, ${a.lastObservedAt}, ${a.reportCount}, ${a.languages}::text[], ${a.summary}, now())
    RETURNING "id"`;
  return row!.id;
}

// --- Review: locks, reads and changes of one incident.

export interface LockedIncident {
  id: string; state: IncidentStateName; assigneeId: string | null; terms: string[]; stance: string | null;
  correction: unknown; mergedIntoId: string | null; reportCount: number;
}

/**
 * Locks incidents for the rest of the transaction, in id order so two reviewers merging the same pair
 * in opposite directions wait for each other instead of deadlocking. Merged-away incidents are a conflict:
 * the reviewer is looking at a stale page.
 */
export async function lockIncidents(tx: Tx, ids: string[]): Promise<Map<string, LockedIncident>> {
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.$queryRaw<LockedIncident[]>`
    SELECT id::text, state::text AS state, "assigneeId"::text AS "assigneeId", terms, stance::text AS stance,
           correction, "mergedIntoId"::text AS "mergedIntoId", "reportCount"
    FROM "Incident" WHERE id = ANY(${sorted}::uuid[]) ORDER BY id FOR UPDATE`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of sorted) {
    const row = byId.get(id);
    if (!row) throw new NotFound('incident');
    if (row.mergedIntoId) throw new Conflict(`incident ${id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
  }
  return byId;
}

export async function lockIncident(tx: Tx, id: string): Promise<LockedIncident> {
  return (await lockIncidents(tx, [id])).get(id)!;
}

export async function readSummary(tx: Tx, id: string) {
  return incidentSummary(await tx.incident.findUniqueOrThrow({ where: { id }, select: summarySelect }));
}

export async function setIncidentState(tx: Tx, id: string, state: IncidentStateName): Promise<void> {
  await tx.incident.update({ where: { id }, data: { state } });
}

export async function setIncidentAssignee(tx: Tx, id: string, assigneeId: string | null): Promise<void> {
  await tx.incident.update({ where: { id }, data: { assigneeId } });
}

export async function setIncidentCorrection(tx: Tx, id: string, correction: Prisma.InputJsonValue): Promise<void> {
  await tx.incident.update({ where: { id }, data: { correction } });
}

export async function readTermsAndStance(tx: Tx, id: string) {
  return tx.incident.findUniqueOrThrow({ where: { id }, select: { terms: true, stance: true } });
}

export async function insertComment(tx: Tx, incidentId: string, authorId: string, body: string, createdAt: Date) {
  return tx.comment.create({
    data: { incidentId, authorId, body, createdAt },
    select: { id: true, body: true, createdAt: true, author: { select: { id: true, username: true } } },
  });
}

/** `otherId` points at `targetId` from now on, and so does every incident merged into it before. */
export async function mergeInto(tx: Tx, otherId: string, targetId: string): Promise<void> {
  // Comments follow the reports: the discussion stays visible on the incident that remains in the queue.
  await tx.comment.updateMany({ where: { incidentId: otherId }, data: { incidentId: targetId } });
  // Earlier merges into `other` now point straight at the survivor, so no chain has to be followed.
  await tx.incident.updateMany({ where: { mergedIntoId: otherId }, data: { mergedIntoId: targetId } });
  await tx.incident.update({ where: { id: otherId }, data: { mergedIntoId: targetId } });
}

/** A new incident for reports split out; its aggregate is filled in by recomputeIncident right after. */
export async function insertSplitIncident(tx: Tx, span: { first: Date; last: Date }, createdAt: Date): Promise<string> {
  const created = await tx.incident.create({ data: { firstObservedAt: span.first, lastObservedAt: span.last, createdAt }, select: { id: true } });
  return created.id;
}

/** Records that a reviewer declared two incidents distinct (dedup never joins them again). */
export async function insertSeparation(tx: Tx, one: string, other: string, createdAt: Date): Promise<void> {
  // Stored with the smaller id first, so one lookup per ordered pair finds it whichever side asks.
  const [a, b] = [one, other].sort() as [string, string];
  await tx.incidentSeparation.create({ data: { incidentA: a, incidentB: b, createdAt } });
}

// --- Reads for the commission's pages, exports and digests.

export async function findIncidentForPage(db: Db, id: string) {
  return db.incident.findUnique({ where: { id }, select: { ...summarySelect, mergedIntoId: true } });
}

export async function commentsOf(db: Db, incidentId: string) {
  return db.comment.findMany({
    where: { incidentId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, body: true, createdAt: true, author: { select: { id: true, username: true } } },
  });
}

export async function findIncidentPage(db: Db, where: Prisma.IncidentWhereInput, orderBy: Prisma.IncidentOrderByWithRelationInput[], take: number) {
  return db.incident.findMany({ where, orderBy, take, select: summarySelect });
}

/** Incidents per state over `where`. */
export async function countByState(db: Db, where: Prisma.IncidentWhereInput) {
  return db.incident.groupBy({ by: ['state'], where, _count: { _all: true } });
}

/** Incident points for the map, most severe first. */
export async function mapPoints(db: Db, where: Prisma.IncidentWhereInput, take: number) {
  return db.incident.findMany({
    where: { AND: [where, { lat: { not: null } }, { lon: { not: null } }] },
    orderBy: [{ severity: 'desc' }, { id: 'desc' }],
    take,
    select: { id: true, state: true, terms: true, stance: true, reportCount: true, severity: true, lat: true, lon: true, placeName: true },
  });
}

const exportSelect = {
  id: true, state: true, terms: true, stance: true, parties: true, confidence: true, severity: true, lat: true, lon: true,
  placeName: true, firstObservedAt: true, lastObservedAt: true, reportCount: true, languages: true, summary: true,
  correction: true, assignee: { select: { username: true } },
} as const;

export type ExportIncident = Prisma.IncidentGetPayload<{ select: typeof exportSelect }>;

/** One keyset batch of the incidents an export selects, in id order after `afterId`. */
export async function exportIncidentBatch(db: Db, where: Prisma.IncidentWhereInput, afterId: string | null, take: number): Promise<ExportIncident[]> {
  return db.incident.findMany({
    where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where,
    orderBy: { id: 'asc' }, take, select: exportSelect,
  });
}

/**
 * Incidents whose observation span overlaps [from, to), leaving out incidents merged into another (their reports
 * count under the survivor): what a digest is compiled from.
 */
export async function digestIncidents<T>(db: Db, from: Date, to: Date): Promise<T[]> {
  return db.$queryRaw<T[]>`
    SELECT id::text, state::text AS state, terms, stance::text AS stance, parties, "placeName", lat, lon,
           "firstObservedAt", "lastObservedAt", "reportCount", severity,
           CASE WHEN state = 'verified' THEN summary END AS summary -- only verified incidents are quoted
    FROM "Incident"
    WHERE "mergedIntoId" IS NULL AND "firstObservedAt" < ${to} AND "lastObservedAt" >= ${from}`;
}
