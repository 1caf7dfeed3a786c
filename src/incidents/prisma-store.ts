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
          LEFT JOIN LATERAL (
            WITH RECURSIVE chain AS (
              SELECT i."mergedIntoId" AS target, 1 AS depth FROM "Incident" i WHERE i."id" = h.id AND i."mergedIntoId" IS NOT NULL
              UNION ALL
              SELECT i."mergedIntoId", c.depth + 1 FROM chain c JOIN "Incident" i ON i."id" = c.target
              WHERE i."mergedIntoId" IS NOT NULL AND c.depth < 10)
            SELECT target FROM chain ORDER BY depth DESC LIMIT 1) m ON true
          GROUP BY h.id, m.target LIMIT ${l.incidents})
        SELECT inc.id AS "incidentId", inc.target, mem.features,
          ARRAY(SELECT s."incidentB" FROM "IncidentSeparation" s WHERE s."incidentA" = inc.target
                UNION SELECT s."incidentA" FROM "IncidentSeparation" s WHERE s."incidentB" = inc.target) AS "separatedFrom"
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
