// Benchmark 2, pipeline: while intake runs at full speed (JSON, 32 connections) against the API process,
// worker processes turn accepted reports into classified, incident-assigned ones. The backlog (accepted but
// not yet processed) is sampled every second; processed/s is measured over the load window and the drain.
// Throughput on a shared host is noise; CPU per processed report (API, workers, PostgreSQL backends of the
// bench database, read from /proc) is what compares across runs.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import type { BenchWorld } from './env.ts';
import { cpuBetween, cpuSnapshot } from './cpu.ts';
import { intakeShapes } from './intake.ts';
import { round, sleep } from './stats.ts';

export interface PipelineFigures {
  processedPerSec: number;
  acceptedPerSec: number;
  backlog: Array<{ t: number; accepted: number; processed: number; backlog: number }>;
  backlogGrowing: boolean;
  drainSeconds: number | null;
  /** CPU time per processed report (µs) over load + drain; null where /proc is not readable. */
  cpuUsPerReport: { api: number; workers: number; postgres: number } | null;
  /** Incidents the processed reports formed, and how many of them dedup merged into another (tied by a late report). */
  incidents: number;
  tiedMerges: number;
}

async function counts(world: BenchWorld): Promise<{ accepted: number; processed: number; assigned: number }> {
  const [row] = await world.db.$queryRaw<Array<{ accepted: number; processed: number; assigned: number }>>`
    SELECT count(*)::int AS accepted, count(*) FILTER (WHERE status <> 'received')::int AS processed,
           count(*) FILTER (WHERE "incidentId" IS NOT NULL)::int AS assigned FROM "Report"`;
  return row!;
}

export async function benchPipeline(
  world: BenchWorld,
  url: string,
  opts: { seconds: number; drainLimitSeconds?: number },
): Promise<PipelineFigures> {
  const shape = (await intakeShapes(world)).json;
  const backlog: PipelineFigures['backlog'] = [];
  const start = performance.now();
  const base = await counts(world);
  const cpu0 = await cpuSnapshot(world);
  let i = 0;
  let loading = true;
  // autocannon's return value is a thenable instance, not a Promise: wrap it to chain finally().
  const load = Promise.resolve(
    autocannon({
      url,
      connections: 32,
      duration: opts.seconds,
      requests: [
        {
          method: 'POST',
          path: shape.path,
          setupRequest: (req: Record<string, unknown>) => {
            i += 1;
            const { headers, body } = shape.make(i, world.observers[i % world.observers.length]!.token);
            return { ...req, headers, body };
          },
        },
      ],
    } as autocannon.Options),
  ).finally(() => {
    loading = false;
  });
  const sample = async () => {
    const c = await counts(world);
    const accepted = c.accepted - base.accepted;
    const processed = c.processed - base.processed;
    backlog.push({
      t: round((performance.now() - start) / 1000, 1),
      accepted,
      processed,
      backlog: accepted - processed,
    });
    return { accepted, processed };
  };
  while (loading) {
    await sample();
    await sleep(1000);
  }
  const loadEnd = performance.now();
  const atLoadEnd = await sample();
  const drainLimit = opts.drainLimitSeconds ?? 120;
  let drained: number | null = null;
  while ((performance.now() - loadEnd) / 1000 < drainLimit) {
    const c = await sample();
    if (c.processed >= c.accepted) {
      drained = performance.now();
      break;
    }
    await sleep(1000);
  }
  await load;
  const end = drained ?? performance.now();
  const cpu1 = await cpuSnapshot(world);
  const [formed] = await world.db.$queryRaw<Array<{ incidents: number; merges: number }>>`
    SELECT (SELECT count(*)::int FROM "Incident") AS incidents,
           (SELECT count(*)::int FROM "AuditEvent" WHERE "action" = 'incident_merged' AND "actorName" = 'dedup') AS merges`;
  const perReport = (ms: number) => Math.round((ms * 1000) / final.processed);
  const final = backlog[backlog.length - 1]!;
  // Growing: the backlog in the last third of the load window is clearly above the first third.
  const during = backlog.filter((b) => b.t <= (loadEnd - start) / 1000);
  const third = Math.max(1, Math.floor(during.length / 3));
  const avg = (xs: typeof during) => xs.reduce((a, b) => a + b.backlog, 0) / Math.max(1, xs.length);
  return {
    processedPerSec: round(final.processed / ((end - start) / 1000), 1),
    acceptedPerSec: round(atLoadEnd.accepted / ((loadEnd - start) / 1000), 1),
    backlog,
    backlogGrowing: avg(during.slice(-third)) > 1.5 * avg(during.slice(0, third)) + 50,
    drainSeconds: drained === null ? null : round((drained - loadEnd) / 1000, 1),
    incidents: formed!.incidents,
    tiedMerges: formed!.merges,
    // A backend that closed during the run is missed: the PostgreSQL figure is a floor.
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
