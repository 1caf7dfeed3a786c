// A processing job whose analysis keeps throwing is retried with exponential backoff, then ends failed:
// the report says why, the dead-letter view lists the job, and a retry from there processes it.
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { redisConnection } from '../../../src/queue/connection.ts';
import { JOBS, QUEUES } from '../../../src/queue/names.ts';
import { createAnalyzer, type Analyzer } from '../../../src/pipeline/index.ts';
import { reportsProcessor } from '../../../workers/reports.ts';
import { shellingEn } from '../../helpers/factories.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: TestServer;
let observer: ReturnType<typeof bearer>;
let commission: ReturnType<typeof bearer>;
const workers: Worker[] = [];

beforeAll(async () => {
  // No relay and no default workers: the test adds the job with short backoff and runs its own workers.
  s = await startTestServer({ relay: false });
  observer = bearer(s.url, (await s.makeUser('observer')).token);
  commission = bearer(s.url, (await s.makeUser('commission')).token);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await s?.close();
});

function startWorker(analyzer: Analyzer): Worker {
  const w = new Worker(QUEUES.reports, reportsProcessor(s.rt, analyzer), {
    connection: redisConnection(s.config.REDIS_URL, s.rt.log, 'worker'),
    prefix: s.config.QUEUE_PREFIX,
    concurrency: 2,
  });
  w.on('error', () => undefined);
  workers.push(w);
  return w;
}

describe('failing jobs and the dead-letter view', () => {
  const real = () => createAnalyzer(s.config.AGREEMENT_ID);
  let reportId: string;
  let failing: Worker;

  it('retries with backoff, rolls back every attempt, and marks the report failed after the last one', async () => {
    reportId = (await observer.post('/api/reports', shellingEn())).body.id;
    // The dependency throws inside the assignment transaction, after the block locks were taken.
    const broken: Analyzer = {
      ...real(),
      assign: async () => {
        throw new Error('candidate store unavailable');
      },
    };
    failing = startWorker(broken);
    const queue = s.rt.queues.get(QUEUES.reports)!;
    const job = await queue.add(
      JOBS.processReport,
      { reportId },
      { jobId: `dlq-${reportId}`, attempts: 3, backoff: { type: 'exponential', delay: 150 }, removeOnFail: false },
    );
    const failed = await waitFor(
      async () => ((await queue.getJob(job.id!))?.finishedOn && (await job.isFailed()) ? queue.getJob(job.id!) : null),
      'job failed',
    );
    expect(failed!.attemptsMade).toBe(3);
    // Exponential backoff: 150 ms then 300 ms between the three attempts.
    expect(failed!.finishedOn! - failed!.timestamp).toBeGreaterThanOrEqual(450);
    const report = (await observer.get(`/api/reports/${reportId}`)).body;
    expect(report).toMatchObject({
      status: 'failed',
      failureReason: 'candidate store unavailable',
      incidentId: null,
      classification: null,
    });
    expect(await s.rt.db.incident.count()).toBe(0);
    expect((await s.rt.db.report.findUniqueOrThrow({ where: { id: reportId } })).attempts).toBe(3);
  });

  it('lists the failed job for the commission, not for observers', async () => {
    expect((await observer.get('/api/jobs/failed')).status).toBe(403);
    const r = await commission.get('/api/jobs/failed');
    expect(r.status).toBe(200);
    expect(r.body).toContainEqual(
      expect.objectContaining({
        queue: 'reports',
        jobId: `dlq-${reportId}`,
        name: 'process-report',
        data: { reportId },
        failedReason: 'candidate store unavailable',
        attemptsMade: 3,
      }),
    );
  });

  it('retries a dead letter on request and the report is processed', async () => {
    await failing.close();
    startWorker(real());
    expect((await commission.post(`/api/jobs/failed/nope/dlq-${reportId}/retry`, {})).status).toBe(404);
    const r = await commission.post(`/api/jobs/failed/reports/dlq-${reportId}/retry`, {});
    expect(r.status).toBe(202);
    const report = await waitFor(async () => {
      const b = (await observer.get(`/api/reports/${reportId}`)).body;
      return b.status === 'processed' ? b : null;
    }, 'retried report processed');
    expect(report.failureReason).toBeNull();
    expect(report.incidentId).toBeTruthy();
    expect((await commission.get('/api/jobs/failed')).body).toEqual([]);
    // The retry is audited (one row, with who and what), and a refused one leaves none.
    expect((await commission.post(`/api/jobs/failed/reports/dlq-${reportId}/retry`, {})).status).toBe(409);
    const audited = await s.rt.db.auditEvent.findMany({ where: { action: 'job_retried' } });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      entityType: 'job',
      entityId: `reports/dlq-${reportId}`,
      actorName: expect.any(String),
    });
    expect(audited[0]!.after).toMatchObject({ queue: 'reports', jobId: `dlq-${reportId}`, data: { reportId } });
  });
});
