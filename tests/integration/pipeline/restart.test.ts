// A worker stopped mid-job: its lock expires, a second worker picks the stalled job up, and when the first
// one wakes up and finishes anyway, nothing is lost and nothing is counted twice.
import { Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { redisConnection } from '../../../src/queue/connection.ts';
import { JOBS, QUEUES, type ProcessReportJob } from '../../../src/queue/names.ts';
import { createAnalyzer } from '../../../src/pipeline/index.ts';
import { reportsProcessor } from '../../../workers/reports.ts';
import { shellingAr, shellingEn } from '../../helpers/factories.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: TestServer;
const workers: Worker[] = [];

beforeAll(async () => {
  s = await startTestServer({ relay: false });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await s?.close();
});

const options = { lockDuration: 800, stalledInterval: 300, maxStalledCount: 2 };
const newWorker = (processor: (job: Job<ProcessReportJob>) => Promise<unknown>) => {
  const w = new Worker(QUEUES.reports, processor, {
    connection: redisConnection(s.config.REDIS_URL, s.rt.log, 'worker'),
    prefix: s.config.QUEUE_PREFIX,
    concurrency: 4,
    ...options,
  });
  w.on('error', () => undefined);
  workers.push(w);
  return w;
};

describe('worker stopped mid-job', () => {
  it('loses nothing and double-counts nothing', async () => {
    const observer = bearer(s.url, (await s.makeUser('observer')).token);
    const ids = [
      (await observer.post('/api/reports', shellingEn())).body.id,
      (await observer.post('/api/reports', shellingAr())).body.id,
    ];
    const process = reportsProcessor(s.rt, createAnalyzer(s.config.AGREEMENT_ID));
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const started = new Set<string>();
    const lateResults: unknown[] = [];
    // The first worker takes the jobs and stalls before it gets anywhere (a hung process), then is shut down
    // without waiting for them.
    const first = newWorker(async (job) => {
      started.add(job.data.reportId);
      await gate;
      const result = await process(job);
      lateResults.push(result);
      return result;
    });
    const queue = s.rt.queues.get(QUEUES.reports)!;
    for (const reportId of ids)
      await queue.add(JOBS.processReport, { reportId }, { jobId: `restart-${reportId}`, attempts: 3 });
    await waitFor(async () => started.size === 2, 'first worker to take both jobs');
    await first.close(true);

    newWorker(process);
    await waitFor(
      async () => (await s.rt.db.report.count({ where: { id: { in: ids }, status: 'processed' } })) === 2,
      'second worker to process both',
      30_000,
    );

    // The first worker wakes up and runs the jobs to the end: the reports are already processed.
    release();
    await waitFor(async () => lateResults.length === 2, 'late runs to finish');
    expect(lateResults).toEqual(['unchanged', 'unchanged']);

    const reports = await s.rt.db.report.findMany({ where: { id: { in: ids } } });
    expect(new Set(reports.map((r) => r.incidentId)).size).toBe(1);
    const incidents = await s.rt.db.incident.findMany();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.reportCount).toBe(2);
  });
});
