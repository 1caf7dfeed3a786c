// One observer's flood does not hold back another observer's report: with hundreds of the flooder's report jobs
// queued first, the other observer's report is processed after at most the flooder's first few (those it may
// queue before its jobs wait behind others'), not after all of them. Order is asserted, not time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';
import { FREE_JOBS } from '../../../src/queue/fairness.ts';
import { waitFor } from '../../helpers/wait.ts';

const FLOOD = 200;
let s: TestServer;

beforeAll(async () => {
  // The flood has to get past the intake quota to be queued; small batches make the order visible.
  s = await startTestServer({
    env: { INTAKE_PER_MINUTE: '100000', INTAKE_PER_HOUR: '1000000', WORKER_CONCURRENCY: '4', PIPELINE_BATCH_SIZE: '4' },
  });
});
afterAll(async () => {
  await s?.close();
});

describe('fair share of the workers', () => {
  it("processes another observer's report ahead of a flood queued before it", async () => {
    const flooder = bearer(s.url, (await s.makeUser('observer')).token);
    const other = bearer(s.url, (await s.makeUser('observer')).token);
    for (let i = 0; i < FLOOD; i += 20) {
      const sent = await Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          flooder.post(
            '/api/reports',
            makeReport({
              observedAt: new Date(Date.UTC(2020, 10, 14, 5, 0, 0) + (i + k) * 1000).toISOString(),
              narrative: `Artillery shelling heard south of Sirte, 12 impacts counted in one hour (${i + k}).`,
            }),
          ),
        ),
      );
      expect(sent.map((r) => r.status)).toEqual(Array(20).fill(201));
    }
    const mine = await other.post('/api/reports', makeReport({ lat: 32.375, lon: 15.092, placeName: 'Misrata' }));
    expect(mine.status).toBe(201);
    // Every job is in the queue before any worker runs.
    await waitFor(
      async () => (await s.rt.db.outboxEvent.count({ where: { publishedAt: null } })) === 0,
      'outbox relayed',
    );

    s.startWorkers();
    const done = await waitFor(
      async () => {
        const r = await s.rt.db.report.findUniqueOrThrow({
          where: { id: mine.body.id },
          select: { processedAt: true },
        });
        return r.processedAt;
      },
      "the other observer's report processed",
      60_000,
    );
    const before = await s.rt.db.report.count({ where: { id: { not: mine.body.id }, processedAt: { lt: done } } });
    // Queued first, the flooder's first FREE_JOBS go first; the rest wait (plus what was in flight: 4 jobs).
    expect(before).toBeLessThanOrEqual(FREE_JOBS + 8);
    await waitFor(
      async () => (await s.rt.db.report.count({ where: { status: 'received' } })) === 0,
      'the flood processed',
      120_000,
    );
  });
});
