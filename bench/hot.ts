// Benchmark "one hot incident": one observer token files thousands of reports of one event at one place (all
// of them join one incident) as fast as its connections allow, while the other observers file at a field rate
// (one report every couple of seconds each, anywhere). Measured: processed/s over the whole run (load + drain),
// the other observers' wait from intake to processed (p50/p95, from the stored receivedAt and processedAt, so
// the two clocks are PostgreSQL's), how large the hot incident grew, and CPU per processed report.
// The intake quota is raised for the benchmarks (bench/env.ts): what is measured here is processing under a flood
// that got in (several tokens, or a quota set high), not the quota itself.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BenchWorld } from './env.ts';
import { cpuBetween, cpuSnapshot } from './cpu.ts';
import { makeFieldReport, seeded } from './fixtures.ts';
import { percentile, round, sleep } from './stats.ts';

export interface HotFigures {
  hotReports: number;
  otherReports: number;
  processedPerSec: number;
  /** The flood's reports accepted per second while it ran: processing cannot outrun what intake lets in. */
  acceptedPerSec: number;
  drainSeconds: number | null;
  hotIncidentSize: number;
  /** Intake → processed of the other observers' reports (ms); unprocessed ones at the drain limit are counted at it. */
  otherWaitMs: { p50: number; p95: number; max: number; unprocessed: number };
  cpuUsPerReport: { api: number; workers: number; postgres: number } | null;
}

// The hot event: the same shelling, reported over and over from the same spot within the same hour.
const HOT_AT = Date.UTC(2020, 10, 14, 5, 0, 0);
function hotReport(i: number, rand: () => number) {
  return {
    clientId: randomUUID(),
    observedAt: new Date(HOT_AT + Math.floor(rand() * 3_600_000)).toISOString(),
    lat: Math.round((31.205 + (rand() - 0.5) * 0.004) * 1e5) / 1e5,
    lon: Math.round((16.588 + (rand() - 0.5) * 0.004) * 1e5) / 1e5,
    accuracyM: 10,
    placeName: 'Sirte',
    narrative: `Artillery shelling heard south of Sirte, 12 impacts counted in one hour. (${i})`,
    partyAlleged: 'LAAF',
  };
}

export async function benchHot(
  world: BenchWorld,
  url: string,
  opts: { hotReports: number; drainLimitSeconds: number },
): Promise<HotFigures> {
  const [hot, ...others] = world.observers;
  const rand = seeded(35_000);
  const start = performance.now();
  const cpu0 = await cpuSnapshot(world);
  let i = 0;
  let flooding = true;
  const flood = Promise.resolve(
    autocannon({
      url,
      connections: 16,
      amount: opts.hotReports,
      requests: [
        {
          method: 'POST',
          path: '/api/reports',
          setupRequest: (req: Record<string, unknown>) => {
            i += 1;
            return {
              ...req,
              headers: { authorization: `Bearer ${hot!.token}`, 'content-type': 'application/json' },
              body: JSON.stringify(hotReport(i, rand)),
            };
          },
        },
      ],
    } as autocannon.Options),
  ).finally(() => {
    flooding = false;
  });

  // The others: each files one report every ~2 s while the flood runs, and for 5 s after it.
  const otherIds: string[] = [];
  let floodEnd = Infinity;
  void flood.then(() => {
    floodEnd = performance.now();
  });
  const fieldRand = seeded(7);
  await Promise.all(
    others.map(async (o, k) => {
      await sleep(200 + k * 150);
      while (flooding || performance.now() - floodEnd < 5_000) {
        const res = await fetch(`${url}/api/reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(makeFieldReport(fieldRand)),
        });
        if (res.status === 201) otherIds.push(((await res.json()) as { id: string }).id);
        else await res.arrayBuffer();
        await sleep(1_500 + fieldRand() * 1_000);
      }
    }),
  );
  await flood;

  const loadEnd = performance.now();
  let drained: number | null = null;
  while ((performance.now() - loadEnd) / 1000 < opts.drainLimitSeconds) {
    const [c] = await world.db.$queryRaw<
      Array<{ left: number }>
    >`SELECT count(*)::int AS left FROM "Report" WHERE status = 'received'`;
    if (c!.left === 0) {
      drained = performance.now();
      break;
    }
    await sleep(1000);
  }
  const end = drained ?? performance.now();
  const cpu1 = await cpuSnapshot(world);
  const [totals] = await world.db.$queryRaw<Array<{ processed: number; hot: number; hotIncident: number }>>`
    SELECT count(*) FILTER (WHERE status <> 'received')::int AS processed,
           count(*) FILTER (WHERE "observerId" = ${hot!.id}::uuid)::int AS hot,
           COALESCE((SELECT max("reportCount") FROM "Incident"), 0)::int AS "hotIncident" FROM "Report"`;
  const waits = await world.db.$queryRaw<Array<{ ms: number | null }>>`
    SELECT (extract(epoch FROM ("processedAt" - "receivedAt")) * 1000)::float8 AS ms FROM "Report" WHERE id = ANY(${otherIds}::uuid[])`;
  const limitMs = end - start;
  const ms = waits.map((w) => w.ms ?? limitMs);
  const perReport = (x: number) => Math.round((x * 1000) / Math.max(1, totals!.processed));
  return {
    hotReports: totals!.hot,
    otherReports: otherIds.length,
    processedPerSec: round(totals!.processed / ((end - start) / 1000), 1),
    acceptedPerSec: round(totals!.hot / ((floodEnd - start) / 1000), 1),
    drainSeconds: drained === null ? null : round((drained - loadEnd) / 1000, 1),
    hotIncidentSize: totals!.hotIncident,
    otherWaitMs: {
      p50: Math.round(percentile(ms, 50)),
      p95: Math.round(percentile(ms, 95)),
      max: Math.round(Math.max(0, ...ms)),
      unprocessed: waits.filter((w) => w.ms === null).length,
    },
    cpuUsPerReport:
      cpu1.workers.size === 0
        ? null
        : {
            api: perReport(cpuBetween(cpu0.api, cpu1.api)),
            workers: perReport(cpuBetween(cpu0.workers, cpu1.workers)),
            postgres: perReport(cpuBetween(cpu0.postgres, cpu1.postgres)),
          },
  };
}

export interface HotDrainFigures {
  reports: number;
  hotIncidentSize: number;
  /** Processed per second by two worker processes started once the whole flood was queued (nothing else running). */
  processedPerSec: number;
  drainSeconds: number;
  cpuUsPerReport: { workers: number; postgres: number } | null;
}

/**
 * The processing capacity for one hot incident, apart from intake: the flood is accepted and queued with no worker
 * running, then two worker processes are started and the backlog is timed until it is gone.
 */
export async function benchHotDrain(
  world: BenchWorld,
  url: string,
  opts: { reports: number; drainLimitSeconds: number },
): Promise<HotDrainFigures> {
  const hot = world.observers[0]!;
  const rand = seeded(35_001);
  let i = 0;
  await autocannon({
    url,
    connections: 16,
    amount: opts.reports,
    requests: [
      {
        method: 'POST',
        path: '/api/reports',
        setupRequest: (req: Record<string, unknown>) => {
          i += 1;
          return {
            ...req,
            headers: { authorization: `Bearer ${hot.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(hotReport(i, rand)),
          };
        },
      },
    ],
  } as autocannon.Options);
  for (;;) {
    const [c] = await world.db.$queryRaw<
      Array<{ left: number }>
    >`SELECT count(*)::int AS left FROM "OutboxEvent" WHERE "publishedAt" IS NULL`;
    if (c!.left === 0) break;
    await sleep(200);
  }
  await world.startWorkers();
  await world.startWorkers();
  const start = performance.now();
  const cpu0 = await cpuSnapshot(world);
  let left = Infinity;
  while (left > 0 && (performance.now() - start) / 1000 < opts.drainLimitSeconds) {
    const [c] = await world.db.$queryRaw<
      Array<{ left: number }>
    >`SELECT count(*)::int AS left FROM "Report" WHERE status = 'received'`;
    left = c!.left;
    if (left > 0) await sleep(250);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu1 = await cpuSnapshot(world);
  const [t] = await world.db.$queryRaw<Array<{ processed: number; size: number }>>`
    SELECT count(*) FILTER (WHERE status <> 'received')::int AS processed, COALESCE((SELECT max("reportCount") FROM "Incident"), 0)::int AS size FROM "Report"`;
  const per = (ms: number) => Math.round((ms * 1000) / Math.max(1, t!.processed));
  return {
    reports: t!.processed,
    hotIncidentSize: t!.size,
    processedPerSec: round(t!.processed / seconds, 1),
    drainSeconds: round(seconds, 1),
    cpuUsPerReport:
      cpu1.workers.size === 0
        ? null
        : {
            workers: per(cpuBetween(cpu0.workers, cpu1.workers)),
            postgres: per(cpuBetween(cpu0.postgres, cpu1.postgres)),
          },
  };
}
