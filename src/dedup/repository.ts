// The dedup engine's data access: the PostgreSQL IncidentCandidateStore and the block locks taken while a report is
// assigned. Raw SQL on a SqlTx, so it runs in a Prisma transaction or on the worker's node-postgres one.
// PostgreSQL implementation of the dedup IncidentCandidateStore. Candidate incidents are found only through
// indexes — Report(geoCell, observedAt) for space×time blocking, Report(placeKey, observedAt) for reports
// known by a place name, Attachment(sha256) for shared photos — and every step is LIMITed, so the cost of a
// lookup depends on local density, never on how many reports the store holds. One round trip for any number
// of reports (the batched pipeline looks up a whole batch at once; the single-report path is a batch of one).
import { Prisma, type SqlTx } from '../db/client.ts';
import { PREPARED } from '../db/pg-tx.ts';
import type { CandidateIncident, CandidateQuery, IncidentCandidateStore } from './dedup.ts';
import type { ReportFeatures } from './features.ts';

/** perBlock: reports read per cell (or place) on each side of the report's time; incidents: candidates kept. */
export interface StoreLimits {
  perBlock: number;
  incidents: number;
  membersPerIncident: number;
}
export const DEFAULT_LIMITS: StoreLimits = { perBlock: 20, incidents: 40, membersPerIncident: 30 };

export interface PrismaStoreOptions {
  /** The report being assigned: never its own candidate. */
  excludeReportId?: string;
  limits?: StoreLimits;
}

/** Incidents a reviewer declared separate from the given one. */
const separations = (
  id: Prisma.Sql,
) => Prisma.sql`ARRAY(SELECT s."incidentB" FROM "IncidentSeparation" s WHERE s."incidentA" = ${id}
                UNION SELECT s."incidentA" FROM "IncidentSeparation" s WHERE s."incidentB" = ${id})`;

/**
 * A limit written into the statement, not passed as a parameter: the lookup of one report runs on the generic plan
 * PostgreSQL keeps per connection (see candidateSqlMany), and a plan made for `LIMIT $n` assumes a tenth of the rows
 * instead of the limit it gets.
 */
const literal = (n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a limit must be a whole number, got ${n}`);
  return Prisma.raw(String(n));
};

/** One block: the reports of a cell or a place nearest in time to the report, on either side, within the window. */
const nearest = (where: Prisma.Sql, l: StoreLimits) => Prisma.sql`
              (SELECT r."incidentId" AS id, r."observedAt" - q.at AS d FROM "Report" r
                WHERE ${where} AND r."observedAt" >= q.at AND r."observedAt" <= q."to" AND r."incidentId" IS NOT NULL
                  AND r."id" IS DISTINCT FROM q.self ORDER BY r."observedAt" LIMIT ${literal(l.perBlock)})
              UNION ALL
              (SELECT r."incidentId", q.at - r."observedAt" FROM "Report" r
                WHERE ${where} AND r."observedAt" < q.at AND r."observedAt" >= q."from" AND r."incidentId" IS NOT NULL
                  AND r."id" IS DISTINCT FROM q.self ORDER BY r."observedAt" DESC LIMIT ${literal(l.perBlock)})`;

/**
 * Settings for the rest of a transaction that runs candidate lookups, to be selected in a statement before them.
 * No bitmap scans: the planner estimates the members of a candidate incident (its id is a parameter of the
 * LATERAL step) as a few rows, for which a bitmap scan and a sort look cheapest, and then reads every member of a
 * hot incident (20,000 reports) to keep 30. Without bitmaps the only path is the Report(incidentId, observedAt
 * DESC, id) index in order, stopping at the LIMIT. JIT off: see lockAllBlocks in src/pipeline/batch.ts.
 */
export const LOOKUP_SETTINGS = Prisma.sql`set_config('jit', 'off', true), set_config('enable_bitmapscan', 'off', true)`;

/** A candidate of the lookup: which query (index) it answers, and whether a shared photo hit it. */
export interface CandidateRow {
  q: number;
  target: string;
  byHash: boolean;
  separatedFrom: string[];
  members: ReportFeatures[];
  /** The incident's first and last observation (ms), whatever members were read: see CandidateIncident.span. */
  span?: { first: number; last: number };
}
type Packed = [number, string, boolean, string[], ReportFeatures[], [number, number] | null];

// The incident's first and last observation times in ms, as one JSON pair (null when it has no such row).
const spanOf = (target: Prisma.Sql) => Prisma.sql`(SELECT json_build_array(
    (extract(epoch FROM i."firstObservedAt") * 1000)::bigint, (extract(epoch FROM i."lastObservedAt") * 1000)::bigint)
    FROM "Incident" i WHERE i."id" = ${target})`;

/**
 * The candidate lookup of many reports in one statement, evaluated per query (LATERAL) over a JSON list.
 * Blocks are read nearest in time first (two index scans per cell, one each side of the report's time), so
 * that in a dense store the incidents kept under the LIMIT are the ones closest to the report, not the
 * first in index order. A hit incident is followed along its merges (reviewers merge into a live incident;
 * chains are short). Members are read per incident (Report(incidentId) index) within the window — or all of
 * them when a photo matched, as the in-memory store does — most recent first. The whole answer is one JSON
 * text: one value to hand over instead of a row per member keeps the client's per-row cost out of the way.
 * On the workers' driver the lookup of one report is a named statement (PREPARED, src/db/pg-tx.ts): its one
 * parameter is the JSON list, which the planner cannot see into, and its limits are in its text, so the generic plan
 * PostgreSQL keeps after five runs in a connection (made under LOOKUP_SETTINGS, which every transaction sets before
 * its lookups) is the one it would make every time; PostgreSQL plans it again when the tables' statistics change
 * (ANALYZE), so a growing store is replanned. `npm run bench -- dedup`, one run each, session 20: 3.2-3.8 / 4.5-4.6 /
 * 5.6-6.5 ms unnamed, 1.3 / 3.0 / 3.7 ms named, at 10k / 100k / 1M stored.
 */
export function candidateSqlMany(
  queries: Array<{ q: CandidateQuery; self?: string }>,
  l: StoreLimits = DEFAULT_LIMITS,
): Prisma.Sql {
  const list = JSON.stringify(
    queries.map(({ q, self }, i) => ({
      i,
      self: self ?? null,
      cells: q.cells,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      at: new Date((q.from.getTime() + q.to.getTime()) / 2).toISOString(),
      place: q.placeKey ?? null,
      hashes: q.attachmentHashes,
      anywhere: q.anywhere === true,
    })),
  );
  // The cells are looked up one by one (LATERAL, r."geoCell" = cell.c): the planner, which sees neither the
  // cells nor the window of a row of the list, then walks Report(geoCell, observedAt), never the time index.
  // The LIMIT (a literal) tells the planner how long the list is
  // (it takes a function for 100 rows): a lookup of one report estimated as one of a hundred was above
  // jit_above_cost and spent ~1 s compiling.
  // A lookup of many reports (a batch) stays unnamed, planned per run, as measured best before (pg-tx.ts). A first
  // version of this change that kept plans for every statement of the pools, batches' lookups among them, cost
  // PostgreSQL more per report in the pipeline benchmark; the batch's lookup alone was not measured apart.
  return Prisma.sql`${Prisma.raw(queries.length === 1 ? PREPARED : '')}
    SELECT COALESCE(json_agg(json_build_array(c.q, c.target, c.by_hash, c.sep, c.members, c.span) ORDER BY c.q, c.rank), '[]')::text AS doc
    FROM (SELECT * FROM jsonb_to_recordset(${list}::jsonb) AS v(i int, self uuid, cells text[], "from" timestamptz, "to" timestamptz,
      at timestamptz, place text, hashes text[], anywhere boolean) LIMIT ${literal(queries.length)}) AS q
    CROSS JOIN LATERAL (
      SELECT q.i AS q, t.target, t.by_hash, t.rank, ${separations(Prisma.raw('t.target'))} AS sep, mem.members,
        ${spanOf(Prisma.raw('t.target'))} AS span
      FROM (
        SELECT COALESCE(m.target, g.id) AS target, bool_or(g.by_hash) AS by_hash, min(g.rank) AS rank
        FROM (
          SELECT h.id, bool_or(h.by_hash) AS by_hash, row_number() OVER (ORDER BY bool_or(h.by_hash) DESC, min(h.d), h.id) AS rank
          FROM (
            SELECT x.id, false AS by_hash, x.d FROM unnest(q.cells) AS cell(c) CROSS JOIN LATERAL (${nearest(Prisma.sql`r."geoCell" = cell.c`, l)}) x
            UNION ALL
            SELECT y.id, false, y.d FROM (${nearest(Prisma.sql`q.place IS NOT NULL AND r."placeKey" = q.place`, l)}) y
            UNION ALL
            SELECT z.id, false, z.d FROM (${nearest(Prisma.sql`q.anywhere`, l)}) z
            UNION ALL
            (SELECT r."incidentId", true, interval '0' FROM "Attachment" a JOIN "Report" r ON r."id" = a."reportId"
              WHERE a."sha256" = ANY(q.hashes::char(64)[]) AND r."incidentId" IS NOT NULL AND r."id" IS DISTINCT FROM q.self
              LIMIT ${literal(l.perBlock)})) h
          GROUP BY h.id ORDER BY rank LIMIT ${literal(l.incidents)}) g
        LEFT JOIN LATERAL (
          WITH RECURSIVE chain AS (
            SELECT i."mergedIntoId" AS target, 1 AS depth FROM "Incident" i WHERE i."id" = g.id AND i."mergedIntoId" IS NOT NULL
            UNION ALL
            SELECT i."mergedIntoId", c.depth + 1 FROM chain c JOIN "Incident" i ON i."id" = c.target
            WHERE i."mergedIntoId" IS NOT NULL AND c.depth < 10)
          SELECT target FROM chain ORDER BY depth DESC LIMIT 1) m ON true
        GROUP BY 1) t
      CROSS JOIN LATERAL (
        SELECT COALESCE(json_agg(s.features ORDER BY s."observedAt" DESC, s."id"), '[]') AS members FROM (
          SELECT r."features", r."observedAt", r."id" FROM "Report" r
          WHERE r."incidentId" = t.target AND r."features" IS NOT NULL AND r."id" IS DISTINCT FROM q.self
            AND (t.by_hash OR r."observedAt" BETWEEN q."from" AND q."to")
          ORDER BY r."observedAt" DESC, r."id" LIMIT ${literal(l.membersPerIncident)}) s) mem) c`;
}

/** The candidate query of one report, exported so that its plan can be checked (index scans only) at scale. */
export function candidateSql(q: CandidateQuery, self: string, l: StoreLimits = DEFAULT_LIMITS): Prisma.Sql {
  return candidateSqlMany([{ q, self }], l);
}

/** Candidates per query, in the order of the queries; an incident with no member left to compare is no candidate. */
export async function findCandidatesMany(
  tx: SqlTx,
  queries: Array<{ q: CandidateQuery; self?: string }>,
  l: StoreLimits = DEFAULT_LIMITS,
): Promise<CandidateRow[][]> {
  const out = queries.map(() => [] as CandidateRow[]);
  if (!queries.length) return out;
  const [row] = await tx.$queryRaw<Array<{ doc: string }>>(candidateSqlMany(queries, l));
  for (const [q, target, byHash, separatedFrom, members, span] of JSON.parse(row!.doc) as Packed[])
    out[q]!.push({
      q,
      target,
      byHash,
      separatedFrom,
      members,
      ...(span ? { span: { first: span[0], last: span[1] } } : {}),
    });
  return out;
}

export function createPrismaCandidateStore(tx: SqlTx, opts: PrismaStoreOptions = {}): IncidentCandidateStore {
  return {
    async findCandidates(q: CandidateQuery): Promise<CandidateIncident[]> {
      const [rows] = await findCandidatesMany(tx, [{ q, self: opts.excludeReportId }], opts.limits);
      return rows!
        .filter((r) => r.members.length > 0)
        .map((r) => ({ id: r.target, members: r.members, separatedFrom: r.separatedFrom, span: r.span }));
    },
  };
}

/** Members of one incident as the lookup reads them (window-bounded unless a photo matched), for a
 * candidate the batched pipeline learned of from an earlier report of its own batch. */
export async function incidentMembers(
  tx: SqlTx,
  incidentId: string,
  q: CandidateQuery,
  byHash: boolean,
  l: StoreLimits = DEFAULT_LIMITS,
) {
  const [row] = await tx.$queryRaw<
    Array<{ features: ReportFeatures[]; separatedFrom: string[]; span: [number, number] | null }>
  >`
    SELECT (SELECT COALESCE(jsonb_agg(m.features ORDER BY m."observedAt" DESC, m."id"), '[]'::jsonb) FROM (
        SELECT r."features", r."observedAt", r."id" FROM "Report" r
        WHERE r."incidentId" = ${incidentId}::uuid AND r."features" IS NOT NULL
          AND (${byHash} OR r."observedAt" BETWEEN ${q.from} AND ${q.to})
        ORDER BY r."observedAt" DESC, r."id" LIMIT ${l.membersPerIncident}) m) AS features,
      ${separations(Prisma.sql`${incidentId}::uuid`)} AS "separatedFrom",
      ${spanOf(Prisma.sql`${incidentId}::uuid`)} AS span`;
  const { span, ...rest } = row!;
  return { ...rest, ...(span ? { span: { first: Number(span[0]), last: Number(span[1]) } } : {}) };
}

/**
 * Takes the advisory locks of the given block keys, sorted and in one statement (so two runs never wait on each other
 * in opposite order), and sets the candidate lookup's settings for the rest of the transaction (LOOKUP_SETTINGS): the
 * batched lookup's cost estimate (a JSON list the planner takes for 100 rows, each with several LATERAL steps) is far
 * above jit_above_cost, and compiling it took ~230 ms for ~15 ms of actual work.
 */
export async function lockBlockKeys(tx: SqlTx, keys: string[]): Promise<void> {
  await tx.$queryRaw`SELECT ${LOOKUP_SETTINGS}, (SELECT count(pg_advisory_xact_lock(k)) FROM
    (SELECT DISTINCT hashtextextended(x, 2020) AS k FROM unnest(${keys}::text[]) AS x ORDER BY 1) AS s)::int AS locked`;
}
