// A worker process is killed with SIGKILL while it holds report jobs in both dangerous states, made certain by
// holding row locks on two reports the worker will reach: one batch blocked on a lock (uncommitted at the kill),
// and one whose lock is released after the worker's Redis is cut, so its batch commits but its jobs cannot be
// marked done. After the kill BullMQ still shows those jobs active and the database shows which batch committed.
// A new worker recovers them (stalled-job check): every job held at the kill completes, the committed reports
// are not processed again, the uncommitted ones are processed once, no incident counts a report twice, and a
// digest counts each report once.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { spawnServer, waitFor, type ServerProcess } from '../../helpers/processes.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { bearer } from '../../helpers/http.ts';
import { activeAgreement } from '../../../src/agreements/index.ts';
import { createDigest } from '../../../src/digests/index.ts';
import { QUEUES } from '../../../src/queue/names.ts';
import { makeFieldReport, seeded } from '../../../bench/fixtures.ts';

let s: TestServer;
let observers: TestUser[];
let redisProxy: TcpProxy;
const workers: ServerProcess[] = [];
const lockHolders: pg.Client[] = [];

beforeAll(async () => {
  s = await startTestServer();
  observers = [await s.makeUser('observer'), await s.makeUser('observer'), await s.makeUser('observer')];
  redisProxy = await startTcpProxy(targetOf(s.config.REDIS_URL, 6379));
});
afterAll(async () => {
  for (const c of lockHolders) await c.end().catch(() => undefined);
  for (const w of workers) await w.kill('SIGKILL');
  redisProxy?.restore();
  await s?.close();
  await redisProxy?.close();
});

// Batches of 4 among 16 jobs in flight, 4 batches committing at once (the default is one): a batch blocked on a
// lock holds 4 jobs while the others go on.
const workerEnv = (redisUrl: string) => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  DATABASE_URL: s.config.DATABASE_URL,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: s.config.QUEUE_PREFIX,
  STORAGE_DIR: s.config.STORAGE_DIR,
  WORKER_CONCURRENCY: '16',
  PIPELINE_BATCH_SIZE: '4',
  PIPELINE_BATCHES_IN_FLIGHT: '4',
  SESSION_SECRET: randomBytes(16).toString('hex'),
});

/** Holds a row lock on a report from a connection of the test's own, until released. */
async function lockReport(reportId: string) {
  const c = new pg.Client({ connectionString: s.config.DATABASE_URL });
  await c.connect();
  lockHolders.push(c);
  await c.query('BEGIN');
  await c.query('SELECT 1 FROM "Report" WHERE id = $1 FOR UPDATE', [reportId]);
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return {
    /** Backends (the worker's batches) waiting for this lock. */
    waiters: async () =>
      (
        await s.rt.db.$queryRaw<Array<{ pid: number }>>`
      SELECT pid FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`
      ).length,
    release: () => c.query('COMMIT'),
  };
}

const reportState = async () =>
  new Map(
    (await s.rt.db.report.findMany({ select: { id: true, status: true, processedAt: true, incidentId: true } })).map(
      (r) => [r.id, r],
    ),
  );

/** The incident an incident was merged into, followed to the end of the chain (itself when it was not merged). */
async function survivorOf(incidentId: string): Promise<string> {
  let id = incidentId;
  for (let hops = 0; hops < 20; hops++) {
    const i = await s.rt.db.incident.findUnique({ where: { id }, select: { mergedIntoId: true } });
    if (!i?.mergedIntoId) return id;
    id = i.mergedIntoId;
  }
  throw new Error(`merge chain of ${incidentId} longer than 20`);
}

describe('worker killed mid-jobs', () => {
  it('recovers the jobs it held, uncommitted and committed-but-unacknowledged: each report processed exactly once, counted once in incidents and digests', async () => {
    // Three observers reporting the same few days around the same towns: many reports share incidents.
    const rand = seeded(1020);
    const reports = Array.from({ length: 150 }, () => makeFieldReport(rand, { withinDays: 3 }));
    const filed = await Promise.all(
      reports.map((r, i) => bearer(s.url, observers[i % 3]!.token).post('/api/reports', r)),
    );
    for (const f of filed) expect(f.status).toBe(201);
    await waitFor(
      'every report to be queued',
      async () => (await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })) === 0,
    );
    // Jobs are taken in the order the relay added them: the outbox's.
    const order = (await s.rt.db.outboxEvent.findMany({ orderBy: { id: 'asc' } })).map(
      (o) => (o.payload as { reportId: string }).reportId,
    );
    const committing = await lockReport(order[40]!);
    const blocked = await lockReport(order[100]!);

    workers.push(await spawnServer({ role: 'worker', env: workerEnv(redisProxy.url(s.config.REDIS_URL)) }));
    await waitFor(
      'a worker batch to wait on each lock',
      async () => (await committing.waiters()) > 0 && (await blocked.waiters()) > 0,
      120_000,
    );
    // The worker loses Redis, then one blocked batch goes on and commits: its jobs cannot be marked completed.
    redisProxy.cut();
    await committing.release();
    await waitFor(
      'the released batch to commit',
      async () => (await reportState()).get(order[40]!)!.status === 'processed',
    );
    const killed = await workers[0]!.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    // At the kill: the jobs the worker held are still active in BullMQ (nothing else moves them), and the database
    // tells committed batches from the one still waiting, its transaction open on the server.
    const queue = s.rt.queues.get(QUEUES.reports)!;
    const held = await queue.getJobs(['active']);
    const atKill = await reportState();
    const committed = held.filter((j) => atKill.get(j.data.reportId)!.status === 'processed');
    const uncommitted = held.filter((j) => atKill.get(j.data.reportId)!.status !== 'processed');
    expect(committed.map((j) => j.data.reportId)).toContain(order[40]);
    expect(uncommitted.map((j) => j.data.reportId)).toContain(order[100]);
    expect(await blocked.waiters()).toBeGreaterThan(0);
    await blocked.release();
    redisProxy.restore();

    workers.push(await spawnServer({ role: 'worker', env: workerEnv(s.config.REDIS_URL) }));
    // Jobs the dead worker held come back once their lock expires (lockDuration 30 s + the stalled check).
    const settled = await waitFor(
      'every job held at the kill to finish',
      async () => {
        const jobs = await Promise.all(held.map((j) => queue.getJob(j.id!)));
        const states = await Promise.all(jobs.map((j) => j!.getState()));
        return states.every((st) => st === 'completed' || st === 'failed')
          ? jobs.map((j, i) => ({ job: j!, state: states[i] }))
          : null;
      },
      240_000,
    );
    expect(
      settled.filter((x) => x.state !== 'completed').map((x) => `${x.job.id}: ${x.state} ${x.job.failedReason}`),
    ).toEqual([]);
    const after = await reportState();
    for (const { job } of settled) {
      const id = job.data.reportId as string;
      if (atKill.get(id)!.status === 'processed') {
        // Its batch had committed: the rerun found the work done and changed nothing.
        expect(job.returnvalue, `report ${id}`).toBe('unchanged');
        expect(after.get(id)!.processedAt, `report ${id}`).toEqual(atKill.get(id)!.processedAt);
        // Its incident is the same, or the one dedup merged it into since (a later report tied the two).
        expect(after.get(id)!.incidentId, `report ${id}`).toBe(await survivorOf(atKill.get(id)!.incidentId!));
      } else {
        expect(after.get(id)!.status, `report ${id}`).toBe('processed');
      }
    }
    // The batch that was waiting on the lock never committed (its client died): its report was processed by the rerun.
    expect(settled.find((x) => x.job.data.reportId === order[100])!.job.returnvalue).toBe('processed');

    await waitFor(
      'every report to be processed',
      async () => [...(await reportState()).values()].every((r) => r.status === 'processed'),
      120_000,
    );
    expect(await queue.getJobCountByTypes('completed')).toBe(reports.length);
    const rows = await s.rt.db.report.findMany({ select: { id: true, status: true, incidentId: true } });
    expect(rows).toHaveLength(reports.length);
    for (const r of rows) expect(r.incidentId, `report ${r.id}`).not.toBeNull();
    const mismatched = await s.rt.db.$queryRaw<Array<{ id: string; reportCount: number; members: number }>>`
      SELECT i.id::text, i."reportCount", count(r.id)::int AS members FROM "Incident" i LEFT JOIN "Report" r ON r."incidentId" = i.id
      WHERE i."mergedIntoId" IS NULL GROUP BY i.id HAVING i."reportCount" <> count(r.id) OR count(r.id) = 0`;
    expect(mismatched).toEqual([]);
    const [{ total }] = await s.rt.db.$queryRaw<
      Array<{ total: number }>
    >`SELECT COALESCE(sum("reportCount"), 0)::int AS total FROM "Incident" WHERE "mergedIntoId" IS NULL`;
    expect(total).toBe(reports.length);

    const times = reports.map((r) => Date.parse(r.observedAt as string));
    const digest = await createDigest(
      s.rt.db,
      {
        from: new Date(Math.min(...times) - 86_400_000),
        to: new Date(Math.max(...times) + 86_400_000),
        trigger: 'on_demand',
      },
      s.rt.clock,
      activeAgreement(),
    );
    expect(digest.data.totals.reports).toBe(reports.length);
  }, 420_000);
});
