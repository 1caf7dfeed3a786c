// Intake must not depend on Redis: reports are committed with their outbox row, and reach BullMQ once
// Redis is back. Readiness tells a load balancer when the database or Redis is unreachable.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { QUEUES } from '../../../src/queue/names.ts';

let s: TestServer | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await s?.close();
  await proxy?.close();
  s = undefined;
  proxy = undefined;
});

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, seconds = 30): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis unreachable during intake', () => {
  it('accepts every report, then enqueues each exactly once when Redis returns', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    s = await startTestServer({ env: { REDIS_URL: proxy.url('redis://127.0.0.1:6379') } });
    const observer = await s.makeUser('observer');
    await until(
      'relay to reach Redis once',
      () => s!.rt.redis.ping().catch(() => 'down'),
      (v) => v === 'PONG',
    );
    proxy.cut();

    const client = bearer(s.url, observer.token);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await client.post('/api/reports', makeReport());
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const photo = await client.form(
      '/api/reports',
      reportForm(makeReport(), [{ data: await makeJpeg(9), name: 'p.jpg' }]),
    );
    expect(photo.status).toBe(201);
    ids.push(photo.body.id);
    // A retry during the outage is still idempotent.
    const again = await client.post('/api/reports', {
      ...(await s.rt.db.report.findUnique({ where: { id: ids[0] } }).then((r) => ({
        clientId: r!.clientId,
        observedAt: r!.observedAt.toISOString(),
        lat: r!.lat,
        lon: r!.lon,
        accuracyM: r!.accuracyM,
        placeName: r!.placeName,
        narrative: r!.narrative,
        partyAlleged: r!.partyAlleged,
      }))),
    });
    expect(again.status).toBe(200);

    const ready = await bearer(s.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis).toMatch(/^down/);
    expect(await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(5);

    proxy.restore();
    await until(
      'outbox drained',
      () => s!.rt.db.outboxEvent.count({ where: { publishedAt: null } }),
      (n) => n === 0,
    );
    const queue = s.rt.queues.get(QUEUES.reports)!;
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs.map((j) => j.data.reportId).sort()).toEqual([...ids].sort());
    expect((await bearer(s.url).get('/readyz')).status).toBe(200);
  });
});

describe('database unreachable', () => {
  it('readiness goes 503 and intake answers 503 without storing, then both recover', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const p = proxy;
    s = await startTestServer({ relay: false, databaseUrl: (url) => p.url(url) });
    const observer = await s.makeUser('observer');
    expect((await bearer(s.url).get('/readyz')).status).toBe(200);

    proxy.cut();
    const ready = await bearer(s.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toMatch(/^down/);
    expect(ready.body.checks.redis).toBe('ok');
    expect((await bearer(s.url).get('/healthz')).status).toBe(200);
    const input = makeReport();
    // The token was verified before the cut and is cached briefly; the insert itself cannot reach the store.
    const during = await bearer(s.url, observer.token).post('/api/reports', input);
    expect(during.status).toBe(503);
    expect(during.text).not.toMatch(/\.ts:\d+/);

    proxy.restore();
    await until(
      'readiness back',
      () =>
        bearer(s!.url)
          .get('/readyz')
          .then((r) => r.status),
      (st) => st === 200,
    );
    const after = await bearer(s.url, observer.token).post('/api/reports', input);
    expect(after.status).toBe(201);
    expect(await s.rt.db.report.count({ where: { clientId: input.clientId as string } })).toBe(1);
  });
});
