// Redis becomes unreachable (through a TCP proxy, for this server only) while observers keep filing:
// intake depends on PostgreSQL alone, so every submission is still accepted, and once Redis is back the
// outbox relay hands each accepted report to the queue exactly once — also across a second outage that
// starts while the relay is publishing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { waitFor } from '../../helpers/processes.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { QUEUES } from '../../../src/queue/names.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let proxy: TcpProxy;
let s: TestServer;
let observer: TestUser;

beforeAll(async () => {
  proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
  s = await startTestServer({ env: { REDIS_URL: proxy.url(REDIS_URL) } });
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  proxy?.restore();
  await s?.close();
  await proxy?.close();
});

async function file(n: number, tag: string): Promise<string[]> {
  const api = bearer(s.url, observer.token);
  const results = await Promise.all(Array.from({ length: n }, async (_, i) => {
    // Every fifth report carries a photo: multipart goes through the same durable path.
    if (i % 5 === 0) return api.form('/api/reports', reportForm(makeReport({ narrative: `${tag} ${i}` }), [{ data: await makeJpeg(i + tag.length * 31), name: `p${i}.jpg`, type: 'image/jpeg' }]));
    return api.post('/api/reports', makeReport({ narrative: `${tag} ${i}` }));
  }));
  for (const r of results) expect(r.status, r.text).toBe(201);
  return results.map((r) => r.body.id as string);
}

async function queuedJobs(): Promise<Job[]> {
  const q = s.rt.queues.get(QUEUES.reports)!;
  return q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children']);
}

describe('Redis unreachable during intake', () => {
  it('accepts every report while Redis is away and enqueues each exactly once when it returns', async () => {
    const before = await file(5, 'before outage');
    await waitFor('the reports filed before the outage to be published', async () =>
      (await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })) === 0);

    proxy.cut();
    const during = await file(25, 'during outage');
    // The readiness probe tells operators what is wrong while intake carries on.
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { redis: string } }).checks.redis).toMatch(/down/);
    expect(await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })).toBeGreaterThanOrEqual(25);

    proxy.restore();
    // A second outage while the backlog is being relayed: a batch may reach Redis without its commit.
    const more = file(15, 'flapping');
    await waitFor('the relay to resume', async () => (await s.rt.db.outboxEvent.count({ where: { publishedAt: { not: null } } })) > 5);
    proxy.cut();
    await new Promise((r) => setTimeout(r, 300));
    proxy.restore();
    const after = await more;

    const accepted = [...before, ...during, ...after];
    await waitFor('every outbox row to be published', async () =>
      (await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })) === 0);
    const jobs = await waitFor('every accepted report to be queued', async () => {
      const j = await queuedJobs();
      return j.length >= accepted.length ? j : null;
    });
    const perReport = new Map<string, number>();
    for (const j of jobs) perReport.set(j.data.reportId, (perReport.get(j.data.reportId) ?? 0) + 1);
    expect([...perReport.keys()].sort()).toEqual([...accepted].sort());
    expect([...perReport.values()].every((n) => n === 1)).toBe(true);
    expect(await s.rt.db.report.count()).toBe(accepted.length);

    // And processed exactly once: every report assigned, every incident counting each member once.
    s.startWorkers();
    await waitFor('every report to be processed', async () =>
      (await s.rt.db.report.count({ where: { status: 'processed' } })) === accepted.length, 180_000);
    const [{ total }] = await s.rt.db.$queryRaw<Array<{ total: number }>>`
      SELECT COALESCE(sum("reportCount"), 0)::int AS total FROM "Incident" WHERE "mergedIntoId" IS NULL`;
    expect(total).toBe(accepted.length);
    const miscounted = await s.rt.db.$queryRaw<Array<{ id: string }>>`
      SELECT i.id::text FROM "Incident" i LEFT JOIN "Report" r ON r."incidentId" = i.id
      GROUP BY i.id HAVING i."reportCount" <> count(r.id)`;
    expect(miscounted).toEqual([]);
  }, 300_000);
});
