// The worker role: one BullMQ Worker per queue, each a thin adapter over a domain function (workers/*.ts).
import { Worker, type Processor } from 'bullmq';
import { redisConnection } from '../src/queue/connection.ts';
import type { Runtime } from '../src/runtime.ts';
import { processors } from './processors.ts';
import { QUEUES } from '../src/queue/names.ts';

export interface RunningWorkers {
  workers: Worker[];
  close(): Promise<void>;
}

export function startWorkers(rt: Runtime, only?: string[]): RunningWorkers {
  const workers: Worker[] = [];
  // What processors opened for their jobs (the reports' and incidents' node-postgres pools), closed after the workers.
  const closers: Array<() => Promise<void>> = [];
  for (const [queue, make] of Object.entries(processors)) {
    if (only && !only.includes(queue)) continue;
    const processor: Processor & { close?: () => Promise<void> } = make(rt);
    if (processor.close) closers.push(processor.close);
    const worker = new Worker(queue, processor, {
      connection: redisConnection(rt.config.REDIS_URL, rt.log, 'worker'),
      prefix: rt.config.QUEUE_PREFIX,
      // The reports worker batches its jobs and wants many at once; other queues' jobs are heavy and rare.
      concurrency: queue === QUEUES.reports ? rt.config.WORKER_CONCURRENCY : Math.min(rt.config.WORKER_CONCURRENCY, 8),
      // A job whose worker died is picked up again after the lock expires (stalled-job check).
      lockDuration: 30_000,
      maxStalledCount: 3,
    });
    worker.on('failed', (job, err) => {
      rt.metrics.jobFailed(queue, !!job && job.attemptsMade >= (job.opts.attempts ?? 1));
      rt.log.warn({ queue, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed');
    });
    // A report job's wait is the report's processing lag: queued by the relay once committed, done when processed.
    worker.on('completed', (job, result) =>
      rt.metrics.jobDone(
        queue,
        typeof result === 'string' ? result : 'done',
        ((job.finishedOn ?? Date.now()) - job.timestamp) / 1000,
      ),
    );
    worker.on('error', (err) => rt.log.warn({ queue, err: err.message }, 'worker error'));
    workers.push(worker);
  }
  rt.log.info({ queues: workers.map((w) => w.name), concurrency: rt.config.WORKER_CONCURRENCY }, 'workers started');
  return {
    workers,
    // close() lets running jobs finish; anything cut off is retried by BullMQ's stalled-job recovery. The pools end
    // after them (no job is left to use them): main.ts exits next, which would cut their connections mid-session.
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(closers.splice(0).map((close) => close()));
    },
  };
}
