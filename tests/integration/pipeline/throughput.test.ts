// Throughput and correctness under concurrency: thousands of reports (en/ar, spread over Libya and over
// days, many at the same places) processed by the real BullMQ workers at once. Prints reports/s; asserts
// that every report is processed once and incident counts add up (no double counting, no lost report).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { JOBS, QUEUES, DEFAULT_JOB_OPTIONS } from '../../../src/queue/names.ts';

const N = Number(process.env.PIPELINE_BENCH_N ?? 3000);
const NARRATIVES = [
  'Artillery shelling hit positions near the front line; approx. 12 rounds impacted, 2 fighters injured.',
  'Column of 15 technicals moving west towards the front line, reinforcements observed.',
  'The coastal road checkpoint reopened to civilian traffic; trucks passing freely.',
  'Cargo aircraft unloaded crates of ammunition and armoured vehicles at the airbase.',
  'قصف مدفعي استهدف مواقع قرب خط التماس وسقوط نحو 10 قذائف.',
  'وصول مقاتلين أجانب سوريين إلى القاعدة الجوية على متن طائرة شحن.',
  'Landmine exploded on the road, one civilian killed.',
  'Routine patrol, no movement observed at the checkpoint.',
];

let s: TestServer;
beforeAll(async () => {
  // The production default concurrency (the test helper's is 4), and the configured batch size unless asked.
  const env: Record<string, string> = { WORKER_CONCURRENCY: process.env.PIPELINE_BENCH_CONCURRENCY ?? '64' };
  if (process.env.PIPELINE_BENCH_BATCH) env.PIPELINE_BATCH_SIZE = process.env.PIPELINE_BENCH_BATCH;
  s = await startTestServer({ relay: false, env });
});
afterAll(async () => {
  await s?.close();
});

describe(`pipeline throughput (${N} reports)`, () => {
  it('processes every report exactly once into consistent incidents', async () => {
    const observer = await s.makeUser('observer');
    // 40 hot spots (towns, checkpoints) with reports every few minutes over ten days, a few km of GPS spread.
    await s.rt.db.$executeRaw`
      INSERT INTO "Report" ("clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "narrative", "partyAlleged")
      SELECT gen_random_uuid(), ${observer.user.id}::uuid, md5(i::text) || md5((i + 1)::text),
        timestamptz '2020-11-01T00:00:00Z' + (i * 287) * interval '1 second',
        30 + (i % 40) * 0.15 + ((i * 7919) % 100) / 5000.0, 12 + (i % 40) * 0.3 + ((i * 104729) % 100) / 5000.0,
        (${NARRATIVES}::text[])[1 + (i * 31 % ${NARRATIVES.length})], 'unknown'
      FROM generate_series(1, ${N}) AS i`;
    const ids = (await s.rt.db.report.findMany({ select: { id: true } })).map((r) => r.id);
    const queue = s.rt.queues.get(QUEUES.reports)!;
    for (let i = 0; i < ids.length; i += 1000) {
      await queue.addBulk(
        ids.slice(i, i + 1000).map((reportId) => ({
          name: JOBS.processReport,
          data: { reportId },
          opts: { ...DEFAULT_JOB_OPTIONS, jobId: `bench-${reportId}` },
        })),
      );
    }
    const t0 = performance.now();
    s.startWorkers();
    for (;;) {
      const done = await s.rt.db.report.count({ where: { status: { not: 'received' } } });
      if (done === N) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `pipeline: ${N} reports in ${seconds.toFixed(1)} s = ${Math.round(N / seconds)} reports/s (concurrency ${s.config.WORKER_CONCURRENCY}, batch ${s.config.PIPELINE_BATCH_SIZE})`,
    );

    expect(await s.rt.db.report.count({ where: { status: 'processed', incidentId: { not: null } } })).toBe(N);
    const [sums] = await s.rt.db.$queryRaw<Array<{ counted: bigint; members: bigint; mismatched: bigint }>>`
      SELECT sum(i."reportCount")::bigint AS counted,
        (SELECT count(*) FROM "Report" WHERE "incidentId" IS NOT NULL)::bigint AS members,
        count(*) FILTER (WHERE i."reportCount" <> (SELECT count(*) FROM "Report" r WHERE r."incidentId" = i."id"))::bigint AS mismatched
      FROM "Incident" i`;
    expect(Number(sums!.counted)).toBe(N);
    expect(Number(sums!.members)).toBe(N);
    expect(Number(sums!.mismatched)).toBe(0);
    // Dedup grouped reports and did not collapse them below one incident per hot spot. The narratives are eight
    // texts repeated word for word, so each report is close to the last at its spot; the lookup reads only members
    // near a report in time, and without the incident's own first and last times one spot's ten days chained into
    // one or two incidents. No incident spans more than 72 hours (MAX_INCIDENT_SPAN_H), batches and all.
    const incidents = await s.rt.db.incident.count({ where: { reportCount: { gt: 0 } } });
    expect(incidents).toBeLessThan(N / 2);
    expect(incidents).toBeGreaterThanOrEqual(40);
    const [stretched] = await s.rt.db.$queryRaw<Array<{ n: bigint; longest: number }>>`
      SELECT count(*) FILTER (WHERE "lastObservedAt" - "firstObservedAt" > interval '72 hours')::bigint AS n,
        COALESCE(max(extract(epoch FROM "lastObservedAt" - "firstObservedAt")) / 3600, 0)::float8 AS longest
      FROM "Incident" WHERE "reportCount" > 0`;
    expect({ n: Number(stretched!.n), longest: stretched!.longest <= 72 }).toEqual({ n: 0, longest: true });
    // Members' own times agree with the incident's span (the cap reads the incident's first/last columns).
    const [disagree] = await s.rt.db.$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*)::bigint AS n FROM "Incident" i WHERE i."reportCount" > 0 AND
        (SELECT max(r."observedAt") - min(r."observedAt") FROM "Report" r WHERE r."incidentId" = i."id") > interval '72 hours'`;
    expect(Number(disagree!.n)).toBe(0);
  }, 300_000);
});
