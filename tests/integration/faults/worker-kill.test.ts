// A worker process is killed with SIGKILL while it is processing reports. BullMQ hands the cut-off jobs to
// the next worker (stalled-job recovery) and processing is idempotent, so afterwards every report is
// processed and assigned, no incident counts a report twice, and a digest counts each report once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { spawnServer, waitFor, type ServerProcess } from '../../helpers/processes.ts';
import { bearer } from '../../helpers/http.ts';
import { activeAgreement } from '../../../src/agreements/index.ts';
import { createDigest } from '../../../src/digests/index.ts';
import { makeFieldReport, seeded } from '../../../bench/fixtures.ts';

let s: TestServer;
let observers: TestUser[];
const workers: ServerProcess[] = [];

beforeAll(async () => {
  s = await startTestServer();
  observers = [await s.makeUser('observer'), await s.makeUser('observer'), await s.makeUser('observer')];
});
afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await s?.close();
});

const workerEnv = () => ({
  NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: s.config.DATABASE_URL, REDIS_URL: s.config.REDIS_URL,
  QUEUE_PREFIX: s.config.QUEUE_PREFIX, STORAGE_DIR: s.config.STORAGE_DIR, WORKER_CONCURRENCY: '8', SESSION_SECRET: randomBytes(16).toString('hex'),
});

const processed = () => s.rt.db.report.count({ where: { status: 'processed' } });

describe('worker killed mid-jobs', () => {
  it('loses no report and counts none twice in incidents or digests', async () => {
    // Three observers reporting the same few days around the same towns: many reports share incidents.
    const rand = seeded(1020);
    const reports = Array.from({ length: 150 }, () => makeFieldReport(rand, { withinDays: 3 }));
    const filed = await Promise.all(reports.map((r, i) => bearer(s.url, observers[i % 3]!.token).post('/api/reports', r)));
    for (const f of filed) expect(f.status).toBe(201);

    workers.push(await spawnServer({ role: 'worker', env: workerEnv() }));
    await waitFor('some reports to be processed', async () => (await processed()) >= 5, 120_000);
    const killed = await workers[0]!.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const atKill = await processed();

    workers.push(await spawnServer({ role: 'worker', env: workerEnv() }));
    // Jobs the dead worker held come back once their lock expires (lockDuration 30 s + the stalled check).
    await waitFor('every report to be processed', async () => (await processed()) === reports.length, 240_000);
    expect(atKill).toBeLessThanOrEqual(reports.length);

    const rows = await s.rt.db.report.findMany({ select: { id: true, status: true, incidentId: true } });
    expect(rows).toHaveLength(reports.length);
    for (const r of rows) expect(r.incidentId, `report ${r.id}`).not.toBeNull();
    const mismatched = await s.rt.db.$queryRaw<Array<{ id: string; reportCount: number; members: number }>>`
      SELECT i.id::text, i."reportCount", count(r.id)::int AS members FROM "Incident" i LEFT JOIN "Report" r ON r."incidentId" = i.id
      WHERE i."mergedIntoId" IS NULL GROUP BY i.id HAVING i."reportCount" <> count(r.id) OR count(r.id) = 0`;
    expect(mismatched).toEqual([]);
    const [{ total }] = await s.rt.db.$queryRaw<Array<{ total: number }>>`SELECT COALESCE(sum("reportCount"), 0)::int AS total FROM "Incident" WHERE "mergedIntoId" IS NULL`;
    expect(total).toBe(reports.length);

    const times = reports.map((r) => Date.parse(r.observedAt as string));
    const digest = await createDigest(s.rt.db, { from: new Date(Math.min(...times) - 86_400_000), to: new Date(Math.max(...times) + 86_400_000), trigger: 'on_demand' }, s.rt.clock, activeAgreement());
    expect(digest.data.totals.reports).toBe(reports.length);
  }, 420_000);
});
