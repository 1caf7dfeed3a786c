// Published outbox rows are pruned after a week; unpublished ones never, however old (they are jobs not yet
// handed to BullMQ, e.g. through a long Redis outage).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { pruneOutbox } from '../../src/queue/outbox.ts';

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ relay: false }); });
afterAll(async () => { await s.close(); });

describe('outbox pruning', () => {
  it('deletes published rows older than the cut-off and keeps recent and unpublished ones', async () => {
    const day = 86_400_000;
    const now = Date.parse('2020-12-01T00:00:00Z');
    const row = (tag: string, createdAt: number, publishedAt: number | null) => ({
      topic: 'report.received', payload: { reportId: tag }, createdAt: new Date(createdAt), publishedAt: publishedAt === null ? null : new Date(publishedAt),
    });
    await s.rt.db.outboxEvent.createMany({ data: [
      row('old-published', now - 30 * day, now - 29 * day),
      row('week-old-published', now - 8 * day, now - 8 * day),
      row('recent-published', now - 2 * day, now - 2 * day),
      row('old-unpublished', now - 60 * day, null),
    ] });
    const removed = await pruneOutbox(s.rt.db, new Date(now - 7 * day));
    expect(removed).toBe(2);
    const left = (await s.rt.db.outboxEvent.findMany()).map((e) => (e.payload as { reportId: string }).reportId).sort();
    expect(left).toEqual(['old-unpublished', 'recent-published']);
  });
});
