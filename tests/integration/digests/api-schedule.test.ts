// The weekly digest: the job scheduler as BullMQ stores it (cron and time zone from config), and the worker
// compiling last week's digest, once, however often the job runs.
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/clock.ts';
import { JOBS, QUEUES } from '../../../src/queue/names.ts';
import { registerSchedules, WEEKLY_DIGEST_SCHEDULER } from '../../../src/queue/schedules.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { insertIncidents } from '../../helpers/factories.ts';

let s: TestServer;
let events: QueueEvents;
// Tuesday 10 November 2020, 10:00 in Tripoli: the last completed week is Monday 2 to Monday 9 November.
const clock = fixedClock('2020-11-10T08:00:00Z');

beforeAll(async () => {
  s = await startTestServer({
    relay: false,
    workers: true,
    clock,
    env: { DIGEST_CRON: '15 7 * * 1', DIGEST_TZ: 'Africa/Tripoli' },
  });
  events = new QueueEvents(QUEUES.digests, { connection: { url: s.config.REDIS_URL }, prefix: s.config.QUEUE_PREFIX });
  await events.waitUntilReady();
  await insertIncidents(s.rt.db, [
    {
      terms: ['hostilities'],
      stance: 'violation',
      state: 'verified',
      firstObservedAt: new Date('2020-11-03T10:00:00Z'),
      lastObservedAt: new Date('2020-11-03T10:00:00Z'),
    },
  ]);
});
afterAll(async () => {
  await events?.close();
  await s?.close();
});

const digests = () => s.rt.queues.get(QUEUES.digests)!;

describe('weekly digest scheduler', () => {
  it('is registered with the configured cron and time zone, once however often it is registered', async () => {
    await registerSchedules(s.rt.queues, s.config);
    await registerSchedules(s.rt.queues, s.config);
    const schedulers = await digests().getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({
      key: WEEKLY_DIGEST_SCHEDULER,
      name: JOBS.compileDigest,
      pattern: '15 7 * * 1',
      tz: 'Africa/Tripoli',
    });
    expect(schedulers[0]!.next).toBeGreaterThan(Date.now());

    await registerSchedules(s.rt.queues, { ...s.config, DIGEST_CRON: '0 6 * * 1', DIGEST_TZ: 'Africa/Tripoli' });
    const changed = await digests().getJobSchedulers();
    expect(changed.map((x) => [x.key, x.pattern, x.tz])).toEqual([
      [WEEKLY_DIGEST_SCHEDULER, '0 6 * * 1', 'Africa/Tripoli'],
    ]);
    const template = await digests().getJobScheduler(WEEKLY_DIGEST_SCHEDULER);
    expect(template?.template?.data).toEqual({ trigger: 'scheduled' });
  });

  it('a scheduled job compiles last week in Tripoli time; running it again reuses that digest', async () => {
    const first = await digests().add(JOBS.compileDigest, { trigger: 'scheduled' });
    const r1 = await first.waitUntilFinished(events, 30_000);
    const second = await digests().add(JOBS.compileDigest, { trigger: 'scheduled' });
    const r2 = await second.waitUntilFinished(events, 30_000);
    expect(r1.reused).toBe(false);
    expect(r2).toEqual({ id: r1.id, reused: true });
    const row = await s.rt.db.digest.findUniqueOrThrow({ where: { id: r1.id } });
    expect(row).toMatchObject({
      trigger: 'scheduled',
      requestedById: null,
      periodFrom: new Date('2020-11-01T22:00:00Z'),
      periodTo: new Date('2020-11-08T22:00:00Z'),
    });
    expect(
      (row.data as { terms: Record<string, { violations: number; verified: number }> }).terms.hostilities,
    ).toMatchObject({ violations: 1, verified: 1 });
    expect(await s.rt.db.digest.count()).toBe(1);
  });
});
