// The outbox relay and its housekeeping. Published outbox rows are pruned after a week; unpublished ones never,
// however old (they are jobs not yet handed to BullMQ, e.g. through a long Redis outage). A database restored or
// reset under a Redis that remembers yesterday's jobs must not have its jobs taken for those.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { createDb } from '../../../src/db/client.ts';
import { createLogger } from '../../../src/logger.ts';
import { QUEUES, REPORT_RECEIVED } from '../../../src/queue/names.ts';
import { pruneOutbox, relayOutboxBatch } from '../../../src/outbox/relay.ts';
import { createTestDatabase } from '../../helpers/db.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ relay: false });
});
afterAll(async () => {
  await s.close();
});

describe('outbox pruning', () => {
  it('deletes published rows older than the cut-off and keeps recent and unpublished ones', async () => {
    const day = 86_400_000;
    const now = Date.parse('2020-12-01T00:00:00Z');
    const row = (tag: string, createdAt: number, publishedAt: number | null) => ({
      topic: 'report.received',
      payload: { reportId: tag },
      createdAt: new Date(createdAt),
      publishedAt: publishedAt === null ? null : new Date(publishedAt),
    });
    await s.rt.db.outboxEvent.createMany({
      data: [
        row('old-published', now - 30 * day, now - 29 * day),
        row('week-old-published', now - 8 * day, now - 8 * day),
        row('recent-published', now - 2 * day, now - 2 * day),
        row('old-unpublished', now - 60 * day, null),
      ],
    });
    const removed = await pruneOutbox(s.rt.db, new Date(now - 7 * day));
    expect(removed).toBe(2);
    const left = (await s.rt.db.outboxEvent.findMany()).map((e) => (e.payload as { reportId: string }).reportId).sort();
    expect(left).toEqual(['old-unpublished', 'recent-published']);
  });
});

describe('outbox relay after a database reset', () => {
  it('publishes a row whose id an earlier database already used, instead of taking it for that job', async () => {
    const queue = new Queue(QUEUES.reports, {
      connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: `reset-${randomBytes(4).toString('hex')}`,
    });
    const log = createLogger('silent');
    try {
      // Two databases in turn, each starting its outbox sequence at 1, under the same Redis.
      for (const reportId of ['before-the-reset', 'after-the-reset']) {
        const tdb = await createTestDatabase();
        const db = createDb(tdb.url, { max: 2 });
        try {
          await db.outboxEvent.create({ data: { topic: REPORT_RECEIVED, payload: { reportId } } });
          expect(await relayOutboxBatch({ db, queues: new Map([[QUEUES.reports, queue]]), log })).toBe(1);
        } finally {
          await db.$disconnect();
          await tdb.drop();
        }
      }
      const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      expect(jobs.map((j) => j.data.reportId).sort()).toEqual(['after-the-reset', 'before-the-reset']);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
