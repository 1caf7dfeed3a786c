// PostgreSQL implementation of the dedup IncidentCandidateStore. Candidate incidents are found only through
// indexes — Report(geoCell, observedAt) for space×time blocking, Report(placeKey, observedAt) for reports
// known by a place name, Attachment(sha256) for shared photos — and every step is LIMITed, so the cost of a
// lookup depends on local density, never on how many reports the store holds. One round trip.
import { Prisma } from '../db/client.ts';
import type { CandidateIncident, CandidateQuery, IncidentCandidateStore } from './dedup.ts';
import type { ReportFeatures } from './features.ts';

export interface StoreLimits { perBlock: number; incidents: number; membersPerIncident: number }
export const DEFAULT_LIMITS: StoreLimits = { perBlock: 200, incidents: 40, membersPerIncident: 30 };

export interface PrismaStoreOptions {
  /** The report being assigned: never its own candidate. */
  excludeReportId?: string;
  limits?: StoreLimits;
}

interface Row { incidentId: string; target: string; features: ReportFeatures | null; separatedFrom: string[] }

const NO_ID = '00000000-0000-0000-0000-000000000000';

/** The incident a (possibly merged) incident's reports went to: m.target, null when it was not merged. */
const followMerges = (id: Prisma.Sql) => Prisma.sql`LEFT JOIN LATERAL (
            WITH RECURSIVE chain AS (
              SELECT i."mergedIntoId" AS target, 1 AS depth FROM "Incident" i WHERE i."id" = ${id} AND i."mergedIntoId" IS NOT NULL
              UNION ALL
              SELECT i."mergedIntoId", c.depth + 1 FROM chain c JOIN "Incident" i ON i."id" = c.target
              WHERE i."mergedIntoId" IS NOT NULL AND c.depth < 10)
            SELECT target FROM chain ORDER BY depth DESC LIMIT 1) m ON true`;

/** Incidents a reviewer declared separate from the given one. */
const separations = (id: Prisma.Sql) => Prisma.sql`ARRAY(SELECT s."incidentB" FROM "IncidentSeparation" s WHERE s."incidentA" = ${id}
                UNION SELECT s."incidentA" FROM "IncidentSeparation" s WHERE s."incidentB" = ${id})`;

/** The candidate query, exported so that its plan can be checked (index scans only) at scale. */
export function candidateSql(q: CandidateQuery, self: string, l: StoreLimits): Prisma.Sql {
  const place = q.placeKey ?? null;
  // No ORDER BY in the blocks: ordering by time would let the planner walk the global observedAt index
  // instead of the per-cell one; a block beyond its LIMIT is already an extreme hot spot.
  // Blocks give incident ids; members are then read per incident (Report(incidentId) index) within the
  // window — or all of them when a photo matched, as the in-memory store does. Merged incidents are
  // followed to where their reports went (reviewers merge into a live incident; chains are short).
  return Prisma.sql`
        WITH hit AS (
          (SELECT r."incidentId" AS id, false AS by_hash FROM "Report" r
            WHERE r."geoCell" = ANY(${q.cells}::text[]) AND r."observedAt" BETWEEN ${q.from} AND ${q.to}
              AND r."incidentId" IS NOT NULL AND r."id" <> ${self}::uuid
            LIMIT ${l.perBlock})
          UNION ALL
          (SELECT r."incidentId", false FROM "Report" r
            WHERE ${place}::text IS NOT NULL AND r."placeKey" = ${place}::text AND r."observedAt" BETWEEN ${q.from} AND ${q.to}
              AND r."incidentId" IS NOT NULL AND r."id" <> ${self}::uuid
            LIMIT ${l.perBlock})
          UNION ALL
          (SELECT r."incidentId", true FROM "Attachment" a JOIN "Report" r ON r."id" = a."reportId"
            WHERE a."sha256" = ANY(${q.attachmentHashes}::char(64)[]) AND r."incidentId" IS NOT NULL AND r."id" <> ${self}::uuid
            LIMIT ${l.perBlock})),
        inc AS (
          SELECT h.id, bool_or(h.by_hash) AS by_hash, COALESCE(m.target, h.id) AS target
          FROM hit h
          ${followMerges(Prisma.raw('h.id'))}
          GROUP BY h.id, m.target LIMIT ${l.incidents})
        SELECT inc.id AS "incidentId", inc.target, mem.features,
          ${separations(Prisma.raw('inc.target'))} AS "separatedFrom"
        FROM inc
        LEFT JOIN LATERAL (
          SELECT r."features" FROM "Report" r
          WHERE r."incidentId" = inc.target AND r."id" <> ${self}::uuid AND r."features" IS NOT NULL
            AND (inc.by_hash OR r."observedAt" BETWEEN ${q.from} AND ${q.to})
          ORDER BY r."observedAt" DESC LIMIT ${l.membersPerIncident}) mem ON true`;
}

export function createPrismaCandidateStore(tx: Prisma.TransactionClient, opts: PrismaStoreOptions = {}): IncidentCandidateStore {
  const l = opts.limits ?? DEFAULT_LIMITS;
  const self = opts.excludeReportId ?? NO_ID;
  return {
    async findCandidates(q: CandidateQuery): Promise<CandidateIncident[]> {
      const rows = await tx.$queryRaw<Row[]>(candidateSql(q, self, l));
      const byId = new Map<string, CandidateIncident>();
      for (const r of rows) {
        let c = byId.get(r.target);
        if (!c) byId.set(r.target, (c = { id: r.target, members: [], separatedFrom: r.separatedFrom }));
        if (r.features) c.members.push(r.features);
      }
      return [...byId.values()].filter((c) => c.members.length > 0);
    },
  };
}

/** A candidate row of the batched lookup: which query (index) it answers, and whether a shared photo hit it. */
export interface BatchCandidateRow { q: number; target: string; byHash: boolean; features: ReportFeatures | null; separatedFrom: string[] }

/**
 * The candidate lookup of many reports in one round trip: the same blocks, limits and merge-following as
 * candidateSql, evaluated per query (LATERAL) over a JSON list of queries. Used by the batched pipeline,
 * whose reports are not yet members of any incident (so no report needs excluding).
 */
export function candidateSqlBatch(queries: CandidateQuery[], l: StoreLimits = DEFAULT_LIMITS): Prisma.Sql {
  const list = JSON.stringify(queries.map((q, i) => ({
    i, cells: q.cells, from: q.from.toISOString(), to: q.to.toISOString(), place: q.placeKey ?? null, hashes: q.attachmentHashes,
  })));
  // The cells are looked up one by one (LATERAL, r."geoCell" = cell.c): the planner, which sees neither the
  // cells nor the window of a row of the list, then walks Report(geoCell, observedAt), never the time index.
  // A hit incident is followed along its merges once (the single query does it per hit row: same result).
  return Prisma.sql`
    SELECT q.i AS q, c.target, c.by_hash AS "byHash", c.features, c."separatedFrom"
    FROM jsonb_to_recordset(${list}::jsonb) AS q(i int, cells text[], "from" timestamptz, "to" timestamptz, place text, hashes text[])
    CROSS JOIN LATERAL (
      SELECT inc.target, inc.by_hash, mem.features,
        ${separations(Prisma.raw('inc.target'))} AS "separatedFrom"
      FROM (
        SELECT g.id, g.by_hash, COALESCE(m.target, g.id) AS target
        FROM (
          SELECT h.id, bool_or(h.by_hash) AS by_hash
          FROM (
            (SELECT x.id, false AS by_hash FROM unnest(q.cells) AS cell(c)
              CROSS JOIN LATERAL (SELECT r."incidentId" AS id FROM "Report" r
                WHERE r."geoCell" = cell.c AND r."observedAt" BETWEEN q."from" AND q."to" AND r."incidentId" IS NOT NULL
                LIMIT ${l.perBlock}) x
              LIMIT ${l.perBlock})
            UNION ALL
            (SELECT r."incidentId", false FROM "Report" r
              WHERE q.place IS NOT NULL AND r."placeKey" = q.place AND r."observedAt" BETWEEN q."from" AND q."to" AND r."incidentId" IS NOT NULL
              LIMIT ${l.perBlock})
            UNION ALL
            (SELECT r."incidentId", true FROM "Attachment" a JOIN "Report" r ON r."id" = a."reportId"
              WHERE a."sha256" = ANY(q.hashes::char(64)[]) AND r."incidentId" IS NOT NULL
              LIMIT ${l.perBlock})) h
          GROUP BY h.id LIMIT ${l.incidents}) g
        ${followMerges(Prisma.raw('g.id'))}) inc
      LEFT JOIN LATERAL (
        SELECT r."features" FROM "Report" r
        WHERE r."incidentId" = inc.target AND r."features" IS NOT NULL
          AND (inc.by_hash OR r."observedAt" BETWEEN q."from" AND q."to")
        ORDER BY r."observedAt" DESC LIMIT ${l.membersPerIncident}) mem ON true) c`;
}

/** Members of one incident as candidateSql reads them (window-bounded unless a photo matched), for a
 * candidate the batched pipeline learned of from an earlier report of its own batch. */
export async function incidentMembers(tx: Prisma.TransactionClient, incidentId: string, q: CandidateQuery, byHash: boolean, l: StoreLimits = DEFAULT_LIMITS) {
  const [row] = await tx.$queryRaw<Array<{ features: ReportFeatures[]; separatedFrom: string[] }>>`
    SELECT (SELECT COALESCE(jsonb_agg(m.features ORDER BY m."observedAt" DESC), '[]'::jsonb) FROM (
        SELECT r."features", r."observedAt" FROM "Report" r
        WHERE r."incidentId" = ${incidentId}::uuid AND r."features" IS NOT NULL
          AND (${byHash} OR r."observedAt" BETWEEN ${q.from} AND ${q.to})
        ORDER BY r."observedAt" DESC LIMIT ${l.membersPerIncident}) m) AS features,
      ${separations(Prisma.sql`${incidentId}::uuid`)} AS "separatedFrom"`;
  return row!;
}
