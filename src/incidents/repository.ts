// The Incident table's one data-access module (with the comments, separations and merge pointers of incidents):
// every query and statement on incidents lives here, and no business rule does. The pipeline's writes take a SqlTx
// (raw SQL, also run on the worker's node-postgres transaction); the review's reads and writes use Prisma.
import { Prisma, type Db, type SqlTx, type Tx } from '../db/client.ts';
import { Conflict, NotFound } from '../errors.ts';
import type { AggregateMember, IncidentAggregate } from './aggregate-rules.ts';
import type { Tally } from './tally.ts';
import type { IncidentStateName } from './filters.ts';
import { incidentSummary, summarySelect } from './view.ts';

// --- Aggregates: the incidents' tallies, their members, the aggregates computed from them (src/incidents/aggregate.ts).

const MEMBER_COLUMNS =
  Prisma.raw(`r."id" IS NOT NULL AS member, r."lat", r."lon", r."resolvedLat", r."resolvedLon", r."geoCell",
  r."placeName", r."resolvedPlace", r."observedAt", r."language", r."partyAlleged"::text AS "partyAlleged", r."casualties",
  r."terms", r."stance"::text AS stance, r."confidence"`);

export type MemberRow = AggregateMember & { incidentId: string; member: boolean };

/** Locks incidents in id order (two transactions touching the same incidents queue instead of deadlocking). */
export async function lockForAggregate(tx: SqlTx, ids: string[]) {
  return tx.$queryRaw<Array<{ id: string; correction: unknown; tally: Tally | null; severity: number }>>`
    SELECT "id"::text AS id, "correction", "tally", "severity" FROM "Incident" WHERE "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE`;
}

/**
 * Every incident on the way from each of `ids` to the incident it was merged into, read without locks (so they can
 * then all be locked in one id-ordered statement). UNION, not UNION ALL: a cycle, were there one, ends.
 */
export async function mergeChainIds(tx: SqlTx, ids: string[]): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    WITH RECURSIVE chain(id) AS (
      SELECT unnest(${ids}::uuid[])
      UNION
      SELECT i."mergedIntoId" FROM "Incident" i JOIN chain c ON i."id" = c.id WHERE i."mergedIntoId" IS NOT NULL
    )
    SELECT id::text AS id FROM chain`;
  return rows.map((r) => r.id);
}

/** Locks incidents in id order and says where each was merged into (null: it is live). */
export async function lockMergeTargets(tx: SqlTx, ids: string[]) {
  return tx.$queryRaw<Array<{ id: string; mergedIntoId: string | null }>>`
    SELECT "id"::text AS id, "mergedIntoId"::text AS "mergedIntoId" FROM "Incident"
    WHERE "id" = ANY(${ids}::uuid[]) ORDER BY "id" FOR UPDATE`;
}

/** Every member of these incidents, in the order the aggregate reads them (observedAt, id): ties go alike. */
export async function membersOf(tx: SqlTx, ids: string[]): Promise<MemberRow[]> {
  return tx.$queryRaw<MemberRow[]>`
    SELECT r."incidentId"::text AS "incidentId", ${MEMBER_COLUMNS} FROM "Report" r
    WHERE r."incidentId" = ANY(${ids}::uuid[]) ORDER BY r."incidentId", r."observedAt", r."id"`;
}

/** Writes many aggregates and tallies in one statement; a null aggregate is an incident left without reports. */
export async function writeAggregates(
  tx: SqlTx,
  updates: Array<{ id: string; a: IncidentAggregate | null; tally: Tally }>,
): Promise<void> {
  if (!updates.length) return;
  const list = JSON.stringify(
    updates.map(({ id, a, tally }) => (a ? { id, empty: false, tally, ...a } : { id, empty: true, tally })),
  );
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

/** Inserts incidents with their aggregates and tallies (id null: the database's); their ids in the order given. */
export async function insertIncidentRows(
  tx: SqlTx,
  rows: Array<IncidentAggregate & { id: string | null; tally: Tally }>,
): Promise<string[]> {
  const list = JSON.stringify(rows.map((row, i) => ({ i, ...row })));
  const inserted = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Incident" ("id", "terms", "stance", "parties", "confidence", "severity", "lat", "lon", "geoCell", "placeName",
      "firstObservedAt", "lastObservedAt", "reportCount", "languages", "summary", "tally", "updatedAt")
    SELECT COALESCE(v.id, gen_random_uuid()), v.terms, v.stance::"Stance", v.parties, v.confidence, v.severity, v.lat, v.lon, v."geoCell",
      v."placeName", v."firstObservedAt", v."lastObservedAt", v."reportCount", v.languages, v.summary, v.tally, now()
    FROM jsonb_to_recordset(${list}::jsonb) AS v(i int, id uuid, terms text[], stance text, parties text[], confidence float8,
      severity int, lat float8, lon float8, "geoCell" text, "placeName" text, "firstObservedAt" timestamptz, "lastObservedAt" timestamptz,
      "reportCount" int, languages text[], summary text, tally jsonb)
    ORDER BY v.i
    RETURNING "id"::text AS id`;
  return inserted.map((r) => r.id);
}

// --- Review: locks, reads and changes of one incident.

export interface LockedIncident {
  id: string;
  state: IncidentStateName;
  assigneeId: string | null;
  terms: string[];
  stance: string | null;
  correction: unknown;
  mergedIntoId: string | null;
  reportCount: number;
}

/**
 * Locks incidents for the rest of the transaction, in id order so two reviewers merging the same pair
 * in opposite directions wait for each other instead of deadlocking. Merged-away incidents are a conflict:
 * the reviewer is looking at a stale page.
 */
export async function lockIncidents(tx: SqlTx, ids: string[]): Promise<Map<string, LockedIncident>> {
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.$queryRaw<LockedIncident[]>`
    SELECT id::text, state::text AS state, "assigneeId"::text AS "assigneeId", terms, stance::text AS stance,
           correction, "mergedIntoId"::text AS "mergedIntoId", "reportCount"
    FROM "Incident" WHERE id = ANY(${sorted}::uuid[]) ORDER BY id FOR UPDATE`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of sorted) {
    const row = byId.get(id);
    if (!row) throw new NotFound('incident');
    if (row.mergedIntoId)
      throw new Conflict(`incident ${id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
  }
  return byId;
}

export async function lockIncident(tx: SqlTx, id: string): Promise<LockedIncident> {
  return (await lockIncidents(tx, [id])).get(id)!;
}

export async function readSummary(tx: Tx, id: string) {
  return incidentSummary(await tx.incident.findUniqueOrThrow({ where: { id }, select: summarySelect }));
}

export async function setIncidentState(tx: Tx, id: string, state: IncidentStateName, at: Date): Promise<void> {
  await tx.incident.update({ where: { id }, data: { state, stateChangedAt: at } });
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

/**
 * `otherId` points at `targetId` from now on, and so does every incident merged into it before; and every incident a
 * reviewer declared distinct from `other` is distinct from `target` too.
 */
export async function mergeInto(tx: SqlTx, otherId: string, targetId: string): Promise<void> {
  // Comments follow the reports: the discussion stays visible on the incident that remains in the queue. Earlier
  // merges into `other` now point straight at the survivor, so no chain has to be followed.
  await tx.$executeRaw`
    WITH comments AS (UPDATE "Comment" SET "incidentId" = ${targetId}::uuid WHERE "incidentId" = ${otherId}::uuid),
         earlier AS (UPDATE "Incident" SET "mergedIntoId" = ${targetId}::uuid, "updatedAt" = now()
                     WHERE "mergedIntoId" = ${otherId}::uuid)
    UPDATE "Incident" SET "mergedIntoId" = ${targetId}::uuid, "updatedAt" = now() WHERE "id" = ${otherId}::uuid`;
  // The separations follow the reports as well: dedup and later merges read separations of live incidents only (a
  // merge of B into C must not let a tie merge C into the A a reviewer had split from B).
  await carrySeparations(tx, otherId, targetId);
}

/**
 * Every incident a reviewer declared distinct from `fromId` is distinct from `toId` too: `toId` now holds reports
 * the reviewer judged with `fromId`'s (a merge's survivor, or the incident a rerun opens for a report leaving
 * `fromId`). Stored smaller id first, as insertSeparation does.
 */
export async function carrySeparations(tx: SqlTx, fromId: string, toId: string): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "IncidentSeparation" ("incidentA", "incidentB")
    SELECT least(x.o, ${toId}::uuid), greatest(x.o, ${toId}::uuid)
    FROM (SELECT s."incidentB" AS o FROM "IncidentSeparation" s WHERE s."incidentA" = ${fromId}::uuid
          UNION SELECT s."incidentA" FROM "IncidentSeparation" s WHERE s."incidentB" = ${fromId}::uuid) x
    WHERE x.o <> ${toId}::uuid
    ON CONFLICT DO NOTHING`;
}

/** What a merge reads of each incident under its lock: the audit's before, the tallies it combines, the notices'. */
export interface MergeSide {
  id: string;
  state: IncidentStateName;
  terms: string[];
  stance: string | null;
  reportCount: number;
  severity: number;
  placeName: string | null;
  firstObservedAt: Date;
  lastObservedAt: Date;
  mergedIntoId: string | null;
  correction: unknown;
  tally: Tally | null;
}

/**
 * Locks the two incidents of a merge in id order and reads what the merge needs of them, with whether a reviewer
 * separated any of `pairs` (the incidents themselves, or the ones a tie named before they were merged elsewhere).
 * Missing: NotFound; merged away: Conflict, as lockIncidents.
 */
export async function lockForMerge(
  tx: SqlTx,
  ids: [string, string],
  pairs: Array<[string, string]> = [ids],
): Promise<{ sides: Map<string, MergeSide>; separated: boolean }> {
  const sorted = pairs.map((p) => [...p].sort() as [string, string]);
  const rows = await tx.$queryRaw<Array<MergeSide & { separated: boolean }>>`
    SELECT i."id"::text AS id, i."state"::text AS state, i."terms", i."stance"::text AS stance, i."reportCount",
           i."severity", i."placeName", i."firstObservedAt", i."lastObservedAt", i."mergedIntoId"::text AS "mergedIntoId",
           i."correction", i."tally",
           EXISTS (SELECT 1 FROM "IncidentSeparation" s
                   WHERE (s."incidentA", s."incidentB") IN (
                     SELECT * FROM unnest(${sorted.map((p) => p[0])}::uuid[], ${sorted.map((p) => p[1])}::uuid[]))) AS separated
    FROM "Incident" i WHERE i."id" = ANY(${[...ids].sort()}::uuid[]) ORDER BY i."id" FOR UPDATE OF i`;
  const sides = new Map<string, MergeSide>();
  for (const { separated: _s, ...side } of rows) sides.set(side.id, side);
  for (const id of ids) {
    const row = sides.get(id);
    if (!row) throw new NotFound('incident');
    if (row.mergedIntoId)
      throw new Conflict(`incident ${id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
  }
  return { sides, separated: rows.some((r) => r.separated) };
}

/** The fields of an incident a merge's audit row records after the merge. */
export async function readMergedSide(tx: SqlTx, id: string) {
  const [row] = await tx.$queryRaw<
    Array<Pick<MergeSide, 'state' | 'terms' | 'stance' | 'reportCount' | 'severity' | 'placeName'>>
  >`
    SELECT "state"::text AS state, "terms", "stance"::text AS stance, "reportCount", "severity", "placeName"
    FROM "Incident" WHERE "id" = ${id}::uuid`;
  if (!row) throw new NotFound('incident');
  return row;
}

/** Where each incident lives now (merges flatten their chains, so one step); absent ids map to themselves. */
export async function survivorsIn(tx: SqlTx, ids: string[]): Promise<Map<string, string>> {
  const rows = await tx.$queryRaw<Array<{ id: string; into: string | null }>>`
    SELECT "id"::text AS id, "mergedIntoId"::text AS into FROM "Incident" WHERE "id" = ANY(${ids}::uuid[])`;
  const into = new Map(rows.map((r) => [r.id, r.into ?? r.id]));
  return new Map(ids.map((id) => [id, into.get(id) ?? id]));
}

/** A new incident for reports split out; its aggregate is filled in by recomputeIncident right after. */
export async function insertSplitIncident(tx: Tx, span: { first: Date; last: Date }, createdAt: Date): Promise<string> {
  const created = await tx.incident.create({
    data: { firstObservedAt: span.first, lastObservedAt: span.last, createdAt },
    select: { id: true },
  });
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
  return db.incident.findUnique({ where: { id }, select: { ...summarySelect, mergedIntoId: true, tally: true } });
}

export async function incidentExists(db: Db, id: string): Promise<boolean> {
  return (await db.incident.findUnique({ where: { id }, select: { id: true } })) !== null;
}

export async function commentsOf(db: Db, incidentId: string) {
  return db.comment.findMany({
    where: { incidentId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, body: true, createdAt: true, author: { select: { id: true, username: true } } },
  });
}

export async function findIncidentPage(
  db: Db,
  where: Prisma.IncidentWhereInput,
  orderBy: Prisma.IncidentOrderByWithRelationInput[],
  take: number,
) {
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
    select: {
      id: true,
      state: true,
      terms: true,
      stance: true,
      reportCount: true,
      severity: true,
      lat: true,
      lon: true,
      placeName: true,
      firstObservedAt: true,
    },
  });
}

const exportSelect = {
  id: true,
  state: true,
  terms: true,
  stance: true,
  parties: true,
  confidence: true,
  severity: true,
  lat: true,
  lon: true,
  placeName: true,
  firstObservedAt: true,
  lastObservedAt: true,
  reportCount: true,
  languages: true,
  summary: true,
  correction: true,
  assignee: { select: { username: true } },
} as const;

export type ExportIncident = Prisma.IncidentGetPayload<{ select: typeof exportSelect }>;

/** One keyset batch of the incidents an export selects, in id order after `afterId`. */
export async function exportIncidentBatch(
  db: Db,
  where: Prisma.IncidentWhereInput,
  afterId: string | null,
  take: number,
): Promise<ExportIncident[]> {
  return db.incident.findMany({
    where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where,
    orderBy: { id: 'asc' },
    take,
    select: exportSelect,
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
    WHERE "mergedIntoId" IS NULL AND "reportCount" > 0 AND "firstObservedAt" < ${to} AND "lastObservedAt" >= ${from}`;
}

// --- Reads for an incident's custody package (src/custody).

/** The incident as a package describes it, or null. */
export async function findIncidentForCustody(db: Db, id: string) {
  return db.incident.findUnique({
    where: { id },
    select: { ...summarySelect, mergedIntoId: true, createdAt: true },
  });
}

/** Incidents merged into any of `ids` (one level: the caller walks the chain). */
export async function incidentsMergedInto(db: Db, ids: string[]): Promise<string[]> {
  const rows = await db.incident.findMany({ where: { mergedIntoId: { in: ids } }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** Incidents a reviewer declared distinct from `id` (a split records one between the source and the new incident). */
export async function separatedFrom(db: Db, id: string): Promise<string[]> {
  const rows = await db.incidentSeparation.findMany({ where: { OR: [{ incidentA: id }, { incidentB: id }] } });
  return rows.map((r) => (r.incidentA === id ? r.incidentB : r.incidentA));
}

/** Up to `take` incident ids starting with `prefix` (lower-case hex and dashes only, checked by the caller). */
export async function incidentIdsStartingWith(db: Db | Tx, prefix: string, take = 2): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM "Incident" WHERE id::text LIKE ${`${prefix}%`} ORDER BY id LIMIT ${take}`;
  return rows.map((r) => r.id);
}

// --- Live events: what a page needs to decide on a notification (no text of any report).

export async function readLiveFacts(db: Db, ids: string[]) {
  return db.incident.findMany({
    where: { id: { in: ids } },
    select: { id: true, state: true, severity: true, assigneeId: true, mergedIntoId: true },
  });
}
