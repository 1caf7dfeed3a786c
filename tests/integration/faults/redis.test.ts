// Redis becomes unreachable (through a TCP proxy, for this server only) while observers keep filing:
// intake depends on PostgreSQL alone, so every submission is still accepted; the relay's tries during each outage
// fail and are recorded on the waiting rows; once Redis is back each accepted report becomes exactly one job, and
// each outbox row reached Redis no more often than the relay tried it — counted from the rows and from the queue's
// own event stream ('added' and 'duplicated' events), not from the jobs BullMQ keeps after its id dedup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { startTcpProxy, targetOf, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { waitFor } from '../../helpers/processes.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { QUEUES } from '../../../src/queue/names.ts';
import { outboxJobId } from '../../../src/outbox/relay.ts';

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
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      // Every fifth report carries a photo: multipart goes through the same durable path.
      if (i % 5 === 0)
        return api.form(
          '/api/reports',
          reportForm(makeReport({ narrative: `${tag} ${i}` }), [
            { data: await makeJpeg(i + tag.length * 31), name: `p${i}.jpg`, type: 'image/jpeg' },
          ]),
        );
      return api.post('/api/reports', makeReport({ narrative: `${tag} ${i}` }));
    }),
  );
  for (const r of results) expect(r.status, r.text).toBe(201);
  return results.map((r) => r.body.id as string);
}

async function queuedJobs(): Promise<Job[]> {
  const q = s.rt.queues.get(QUEUES.reports)!;
  return q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children']);
}

interface OutboxRow {
  id: bigint;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
  reportId: string;
}
async function outboxRows(reportIds?: string[]): Promise<OutboxRow[]> {
  const rows = await s.rt.db.outboxEvent.findMany({ orderBy: { id: 'asc' } });
  const all = rows.map((r) => ({ ...r, reportId: (r.payload as { reportId: string }).reportId }));
  return reportIds ? all.filter((r) => reportIds.includes(r.reportId)) : all;
}
/** The relay tried every one of these rows while Redis was away, failed, and they still wait. */
const triedAndWaiting = async (reportIds: string[]) => {
  const rows = await outboxRows(reportIds);
  return (
    rows.length === reportIds.length &&
    rows.every((r) => r.publishedAt === null && r.attempts >= 1 && r.lastError !== null)
  );
};

/** Events the queue wrote to its stream, per job id: a job created ('added') or a publish of an existing id ('duplicated'). */
async function queueEvents(): Promise<Map<string, { added: number; duplicated: number }>> {
  const direct = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const entries = await direct.xrange(`${s.config.QUEUE_PREFIX}:${QUEUES.reports}:events`, '-', '+');
    const perJob = new Map<string, { added: number; duplicated: number }>();
    for (const [, fields] of entries) {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
      if (f.event !== 'added' && f.event !== 'duplicated') continue;
      const e = perJob.get(f.jobId!) ?? { added: 0, duplicated: 0 };
      e[f.event] += 1;
      perJob.set(f.jobId!, e);
    }
    return perJob;
  } finally {
    direct.disconnect();
  }
}

describe('Redis unreachable during intake', () => {
  it("accepts every report while Redis is away, records the relay's failed tries in both outages, and publishes each row no more often than tried: one job per report", async () => {
    const before = await file(5, 'before outage');
    await waitFor(
      'the reports filed before the outage to be published',
      async () => (await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })) === 0,
    );

    proxy.cut();
    const during = await file(25, 'during outage');
    // The readiness probe tells operators what is wrong while intake carries on.
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { redis: string } }).checks.redis).toMatch(/down/);
    await waitFor("the relay to try the outage's reports and fail", () => triedAndWaiting(during), 60_000);

    proxy.restore();
    // A second outage while the backlog is being relayed and more reports arrive.
    const more = file(15, 'flapping');
    await waitFor(
      'the relay to resume',
      async () => (await s.rt.db.outboxEvent.count({ where: { publishedAt: { not: null } } })) > before.length,
    );
    proxy.cut();
    // Filed inside the second outage: the relay must try them while Redis is away, and the try must fail.
    const second = await file(5, 'second outage');
    await waitFor("the relay to try the second outage's reports and fail", () => triedAndWaiting(second), 60_000);
    proxy.restore();
    const after = await more;

    const accepted = [...before, ...during, ...after, ...second];
    await waitFor(
      'every outbox row to be published',
      async () => (await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })) === 0,
    );
    const jobs = await waitFor('every accepted report to be queued', async () => {
      const j = await queuedJobs();
      return j.length >= accepted.length ? j : null;
    });
    const perReport = new Map<string, number>();
    for (const j of jobs) perReport.set(j.data.reportId, (perReport.get(j.data.reportId) ?? 0) + 1);
    expect([...perReport.keys()].sort()).toEqual([...accepted].sort());
    expect([...perReport.values()].every((n) => n === 1)).toBe(true);
    expect(await s.rt.db.report.count()).toBe(accepted.length);

    // A published row is never claimed again: one more report goes through the relay, and no earlier row moves.
    const settled = new Map((await outboxRows()).map((r) => [r.id, r]));
    const [sentinel] = await file(1, 'sentinel');
    await waitFor(
      'the sentinel report to be published',
      async () => (await outboxRows([sentinel!]))[0]?.publishedAt != null,
    );
    const moved = (await outboxRows()).filter(
      (r) =>
        settled.has(r.id) &&
        (r.attempts !== settled.get(r.id)!.attempts ||
          r.publishedAt!.getTime() !== settled.get(r.id)!.publishedAt!.getTime()),
    );
    expect(
      moved.map((r) => `row ${r.id}: tries ${r.attempts}`),
      'published rows tried again',
    ).toEqual([]);
    accepted.push(sentinel!);

    // Publishes counted without BullMQ's id dedup: the rows' tries, and the queue's own events per job id.
    const rows = await outboxRows();
    expect(rows.map((r) => r.reportId).sort()).toEqual([...accepted].sort());
    const events = await queueEvents();
    const rowJobIds = new Set(rows.map((r) => outboxJobId(r)));
    expect(
      [...events.keys()].filter((id) => !rowJobIds.has(id)),
      "jobs that are no outbox row's",
    ).toEqual([]);
    const overPublished: string[] = [];
    for (const r of rows) {
      const e = events.get(outboxJobId(r)) ?? { added: 0, duplicated: 0 };
      const sends = e.added + e.duplicated;
      // One job per row; it reached Redis at most once per try, and exactly once when no try failed.
      if (e.added !== 1 || sends > r.attempts || (r.lastError === null && (r.attempts !== 1 || sends !== 1))) {
        overPublished.push(
          `row ${r.id}: tries ${r.attempts}, failed: ${r.lastError ?? 'none'}, added ${e.added}, duplicated ${e.duplicated}`,
        );
      }
    }
    expect(overPublished).toEqual([]);
    // Both outages cost the relay tries, and the rows show it.
    for (const id of [...during, ...second])
      expect(rows.find((r) => r.reportId === id)!.attempts).toBeGreaterThanOrEqual(2);

    // And processed exactly once: every report assigned, every incident counting each member once.
    s.startWorkers();
    await waitFor(
      'every report to be processed',
      async () => (await s.rt.db.report.count({ where: { status: 'processed' } })) === accepted.length,
      180_000,
    );
    const [{ total }] = await s.rt.db.$queryRaw<Array<{ total: number }>>`
      SELECT COALESCE(sum("reportCount"), 0)::int AS total FROM "Incident" WHERE "mergedIntoId" IS NULL`;
    expect(total).toBe(accepted.length);
    const miscounted = await s.rt.db.$queryRaw<Array<{ id: string }>>`
      SELECT i.id::text FROM "Incident" i LEFT JOIN "Report" r ON r."incidentId" = i.id
      GROUP BY i.id HAVING i."reportCount" <> count(r.id)`;
    expect(miscounted).toEqual([]);
  }, 300_000);
});
