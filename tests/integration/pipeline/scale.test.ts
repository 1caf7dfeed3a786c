// Dedup cost stays flat as the store grows: with a large store the candidate query is planned on the
// blocking indexes only (no sequential scan of reports), returns a bounded number of rows, and takes
// about as long as on a small store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import {
  candidateSql,
  createPrismaCandidateStore,
  DEFAULT_LIMITS,
  findCandidatesMany,
  lockBlockKeys,
} from '../../../src/dedup/repository.ts';
import { createPgPool, inPgTransaction, PREPARED } from '../../../src/db/pg-tx.ts';
import { Prisma } from '../../../src/db/client.ts';
import { createAnalyzer } from '../../../src/pipeline/index.ts';
import { reportForProcessing } from '../../helpers/factories.ts';

const N = Number(process.env.PIPELINE_SCALE_N ?? 200_000);
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ relay: false });
}, 300_000);
afterAll(async () => {
  await s?.close();
});

async function seed(from: number, to: number, observerId: string) {
  // One incident per three reports; positions over Libya's populated band, times over eight months.
  await s.rt.db.$executeRaw`
    INSERT INTO "Incident" ("id", "firstObservedAt", "lastObservedAt", "reportCount", "geoCell")
    SELECT md5('inc' || i)::uuid, timestamptz '2020-10-23' + (i * 3 * 83) * interval '1 second',
      timestamptz '2020-10-23' + (i * 3 * 83) * interval '1 second', 3, NULL
    FROM generate_series(${Math.floor(from / 3)}::int, ${Math.floor((to - 1) / 3)}::int) AS i ON CONFLICT DO NOTHING`;
  await s.rt.db.$executeRaw`
    INSERT INTO "Report" ("clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "narrative", "status",
      "geoCell", "placeKey", "incidentId", "features", "terms")
    SELECT gen_random_uuid(), ${observerId}::uuid, md5(i::text) || md5((i + 1)::text), t, lat, lon, 'seeded', 'processed',
      floor(lat / 0.1)::int || ':' || floor(lon / 0.1)::int, 'place' || (i % 300), md5('inc' || (i / 3))::uuid,
      jsonb_build_object('observedAt', t, 'terms', '["hostilities"]'::jsonb), '{hostilities}'
    FROM (SELECT i, timestamptz '2020-10-23' + (i * 83) * interval '1 second' AS t,
            30 + (i * 7919 % 3000) / 500.0 AS lat, 10 + (i * 104729 % 7000) / 500.0 AS lon
          FROM generate_series(${from}::bigint, ${to - 1}::bigint) AS i) x`;
  // Every tenth report carries a photo, so the hash block is planned on a realistic Attachment table.
  await s.rt.db.$executeRaw`
    INSERT INTO "Attachment" ("reportId", "sha256", "mime", "sizeBytes", "originalName")
    SELECT r."id", md5(r."id"::text) || md5(r."contentHash"), 'image/jpeg', 1000, 'photo.jpg'
    FROM "Report" r WHERE r."narrative" = 'seeded' AND right(r."contentHash", 1) = '0' ON CONFLICT DO NOTHING`;
  await s.rt.db.$executeRaw`ANALYZE "Attachment"`;
  await s.rt.db.$executeRaw`ANALYZE "Report"`;
  await s.rt.db.$executeRaw`ANALYZE "Incident"`;
}

async function probe() {
  const analyzer = createAnalyzer(s.config.AGREEMENT_ID);
  const base = reportForProcessing({ observedAt: new Date(0), narrative: '', attachmentHashes: ['f'.repeat(64)] });
  const queries = Array.from(
    { length: 30 },
    (_, k) =>
      analyzer.analyze({
        ...base,
        observedAt: new Date(Date.parse('2020-10-25T00:00:00Z') + k * 3_600_000 * 2),
        lat: 31 + (k % 5) * 0.7,
        lon: 14 + (k % 7) * 1.1,
        narrative: 'Shelling reported near the front line.',
      }).query,
  );
  const store = createPrismaCandidateStore(s.rt.db);
  let maxRows = 0;
  for (const q of queries) {
    const found = await store.findCandidates(q);
    maxRows = Math.max(
      maxRows,
      found.reduce((n, c) => n + c.members.length, 0),
    );
  }
  const lookup = candidateSql(queries[0]!, base.id, DEFAULT_LIMITS);
  const [plan] = await s.rt.db.$queryRaw<Array<{ 'QUERY PLAN': unknown }>>`EXPLAIN (FORMAT JSON) ${lookup}`;
  // The workers' driver keeps one generic plan per connection for the lookup of one report: it must be as good.
  const pool = createPgPool(s.config.DATABASE_URL, 1);
  try {
    const kept = await inPgTransaction(pool, async (tx) => {
      await lockBlockKeys(tx, []);
      // Five runs on custom plans, then PostgreSQL keeps the generic one when it costs no more.
      for (const q of queries.slice(0, 10)) await findCandidatesMany(tx, [{ q, self: base.id }]);
      const [statement] = await tx.$queryRaw<Array<{ name: string; generic_plans: number; custom_plans: number }>>`
        SELECT name, generic_plans::int, custom_plans::int FROM pg_prepared_statements WHERE statement LIKE ${`${PREPARED}%`}`;
      // The kept plan itself, for the lookup of the first query (its one parameter written as a literal).
      const list = `'${String(lookup.values[0]).replace(/'/g, "''")}'`;
      const [explained] = await tx.$queryRaw<Array<{ 'QUERY PLAN': unknown }>>(
        Prisma.raw(`EXPLAIN (FORMAT JSON) EXECUTE ${statement!.name}(${list})`),
      );
      return { ...statement!, plan: JSON.stringify(explained!['QUERY PLAN']) };
    });
    return { maxRows, plan: JSON.stringify(plan!['QUERY PLAN']), kept, parameters: lookup.values.length };
  } finally {
    await pool.end();
  }
}

describe(`candidate lookup with ${N} stored reports`, () => {
  // Time per lookup is measured by `npm run bench -- dedup` (medians, 10k to 1M); here: what keeps it flat.
  it('uses the blocking indexes and reads a bounded number of members whatever the store size', async () => {
    const observer = await s.makeUser('observer');
    await seed(0, Math.floor(N / 20), observer.user.id);
    const small = await probe();
    await seed(Math.floor(N / 20), N, observer.user.id);
    const large = await probe();
    expect(large.plan).not.toMatch(/"Node Type":\s*"Seq Scan",[^}]*"Relation Name":\s*"(Report|Attachment)"/);
    expect(large.plan).toMatch(/Report_geoCell_observedAt_idx/);
    expect(small.plan).toMatch(/Report_geoCell_observedAt_idx/);
    expect(large.maxRows).toBeLessThanOrEqual(DEFAULT_LIMITS.incidents * DEFAULT_LIMITS.membersPerIncident);
    // On the workers' driver: one parameter (the JSON list), one plan made once and reused, on the same indexes.
    expect(large.parameters).toBe(1);
    expect(large.kept).toMatchObject({ custom_plans: 5, generic_plans: 5 });
    expect(large.kept.plan).not.toMatch(/"Node Type":\s*"Seq Scan",[^}]*"Relation Name":\s*"(Report|Attachment)"/);
    for (const kept of [small.kept.plan, large.kept.plan]) {
      expect(kept).not.toMatch(/Bitmap/);
      expect(kept).toMatch(/Report_geoCell_observedAt_idx/);
    }
  }, 600_000);
});
