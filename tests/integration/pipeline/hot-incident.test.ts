// A report joining an incident of thousands of reports reads what joining an incident of two reads: the batched
// pipeline's statements are run under EXPLAIN ANALYZE on the way (an instrumented pool) and the rows each reads
// from "Report" (returned, filtered out or rechecked, over all loops) are added up.
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/db.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import { systemClock } from '../../../src/clock.ts';
import { recomputeIncidents } from '../../../src/incidents/aggregate.ts';
import { createAnalyzer, createPgPool, processBatch } from '../../../src/pipeline/index.ts';

const BIG = 3_000;
const NARRATIVE =
  'Artillery shelling hit GNA positions east of Sirte near Abu Grein at dawn; approx. 12 rounds impacted, 2 fighters injured.';

let db: Db;
let pool: pg.Pool;
let observerId: string;
let drop: () => Promise<void>;
const analyzer = createAnalyzer('libya-2020');

beforeAll(async () => {
  const t = await createTestDatabase();
  db = createDb(t.url, { max: 4 });
  pool = createPgPool(t.url, 2);
  drop = async () => {
    await pool.end();
    await db.$disconnect();
    await t.drop();
  };
  observerId = (await db.user.create({ data: { username: 'observer', passwordHash: 'x', role: 'observer' } })).id;
});
afterAll(async () => {
  await drop();
});

async function received(observedAt: string): Promise<string> {
  const id = randomUUID();
  await db.$executeRaw`INSERT INTO "Report" ("id", "clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "placeName", "narrative", "partyAlleged")
    VALUES (${id}::uuid, gen_random_uuid(), ${observerId}::uuid, ${createHash('sha256').update(id).digest('hex')}, ${new Date(observedAt)},
      31.205, 16.588, 'Sirte', ${NARRATIVE}, 'LAAF')`;
  return id;
}

/** Copies a processed report `n` times into its incident, spread over the ten minutes before it, then recomputes. */
async function grow(reportId: string, n: number): Promise<string> {
  const [{ incidentId }] = await db.$queryRaw<
    Array<{ incidentId: string }>
  >`SELECT "incidentId"::text AS "incidentId" FROM "Report" WHERE "id" = ${reportId}::uuid`;
  await db.$executeRaw`
    INSERT INTO "Report" ("id", "clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "placeName", "narrative", "partyAlleged",
      "status", "processedAt", "inputHash", "language", "normalizedText", "resolvedPlace", "resolvedLat", "resolvedLon", "geoCell", "placeKey",
      "features", "classification", "terms", "stance", "confidence", "incidentId", "assignmentScore")
    SELECT gen_random_uuid(), gen_random_uuid(), r."observerId", r."contentHash", r."observedAt" - (g % 600) * interval '1 second', r."lat", r."lon",
      r."placeName", r."narrative", r."partyAlleged", r."status", r."processedAt", r."inputHash", r."language", r."normalizedText", r."resolvedPlace",
      r."resolvedLat", r."resolvedLon", r."geoCell", r."placeKey", r."features", r."classification", r."terms", r."stance", r."confidence",
      r."incidentId", r."assignmentScore"
    FROM "Report" r, generate_series(1, ${n}::int) g WHERE r."id" = ${reportId}::uuid`;
  await db.$transaction((tx) => recomputeIncidents(tx, [incidentId]));
  return incidentId;
}

type PlanNode = {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
};
function reportRows(n: PlanNode): number {
  const own =
    n['Relation Name'] === 'Report'
      ? ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0) + (n['Rows Removed by Index Recheck'] ?? 0)) *
        (n['Actual Loops'] ?? 1)
      : 0;
  return own + (n.Plans ?? []).reduce((s, p) => s + reportRows(p), 0);
}

/** A pool whose clients run every read statement under EXPLAIN ANALYZE first and count the Report rows it read. */
function countingPool(counter: { rows: number; statements: number }): pg.Pool {
  return {
    async connect() {
      const client = await pool.connect();
      return {
        async query(text: string, values?: unknown[]) {
          if (/^\s*(SELECT|WITH)\b/i.test(text) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(text)) {
            const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
            counter.rows += reportRows((rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan);
            counter.statements += 1;
          }
          return client.query(text, values);
        },
        release: (err?: boolean) => client.release(err),
      };
    },
  } as unknown as pg.Pool;
}

async function joinCounted(observedAt: string) {
  const id = await received(observedAt);
  const counter = { rows: 0, statements: 0 };
  const [outcome] = await processBatch({ db, clock: systemClock, analyzer, pool: countingPool(counter) }, [
    { reportId: id, attempt: 1 },
  ]);
  expect(outcome).toBe('processed');
  const row = await db.report.findUniqueOrThrow({ where: { id }, select: { incidentId: true } });
  return { incidentId: row.incidentId, ...counter };
}

describe('joining a hot incident', () => {
  it(`reads as many rows for an incident of ${BIG} reports as for one of two`, async () => {
    const small0 = await received('2020-11-14T05:40:00Z');
    const big0 = await received('2020-11-20T05:40:00Z');
    await processBatch({ db, clock: systemClock, analyzer, pool }, [
      { reportId: small0, attempt: 1 },
      { reportId: big0, attempt: 1 },
    ]);
    const small = await grow(small0, 1);
    const big = await grow(big0, BIG);
    expect(small).not.toBe(big);

    const toSmall = await joinCounted('2020-11-14T05:45:00Z');
    const toBig = await joinCounted('2020-11-20T05:45:00Z');
    expect(toSmall.incidentId).toBe(small);
    expect(toBig.incidentId).toBe(big);
    const incident = await db.incident.findUniqueOrThrow({ where: { id: big }, select: { reportCount: true } });
    expect(incident.reportCount).toBe(BIG + 2);
    // The lookup reads up to 20 reports per block side and 30 members per candidate: bounded, whatever the size.
    expect(toBig.rows).toBeLessThan(toSmall.rows + 100);
    expect(toBig.rows).toBeLessThan(BIG / 5);
  });
});
