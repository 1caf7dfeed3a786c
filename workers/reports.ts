// reports queue: process-report jobs → processReport, gathered into batches (src/pipeline/batcher.ts): each
// job still settles with its own report's outcome. BullMQ retries with backoff; after the last attempt
// the report is marked failed with the reason, and the job stays in the failed set (the dead-letter view).
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { ProcessReportJob } from '../src/queue/names.ts';
import { createAnalyzer, createBatcher, createPgPool, markReportFailed, type Analyzer } from '../src/pipeline/index.ts';
import { refreshActiveModel } from '../src/learning/retrain.ts';

// How often a worker looks for a model promoted by another process (one indexed read).
const MODEL_REFRESH_MS = 60_000;

export function reportsProcessor(
  rt: Runtime,
  analyzer: Analyzer = createAnalyzer(rt.config.AGREEMENT_ID),
): Processor<ProcessReportJob> & { close(): Promise<void> } {
  // Batches run on a small pool of their own (plain node-postgres, see src/db/pg-tx.ts): they queue on
  // block locks anyway, so a few connections carry them.
  const deps = {
    db: rt.db,
    clock: rt.clock,
    analyzer,
    files: rt.files,
    events: rt.incidentEvents,
    observe: rt.metrics.reportsProcessed,
    pool: createPgPool(rt.config.DATABASE_URL, 4, (err) =>
      rt.log.warn({ err: err.message }, 'idle database connection lost'),
    ),
  };
  const batcher = createBatcher(deps, {
    maxBatch: rt.config.PIPELINE_BATCH_SIZE,
    maxWaitMs: rt.config.PIPELINE_BATCH_WAIT_MS,
    maxInFlight: rt.config.PIPELINE_BATCHES_IN_FLIGHT,
    onBatchError: (err, size) =>
      rt.log.warn(
        { size, err: err instanceof Error ? err.message : String(err) },
        'batch failed; processing its reports one by one',
      ),
  });
  let checkedModelAt = 0;
  const processor = async (job: Job<ProcessReportJob>) => {
    const attempt = job.attemptsMade + 1;
    if (rt.clock.now().getTime() - checkedModelAt > MODEL_REFRESH_MS) {
      checkedModelAt = rt.clock.now().getTime();
      await refreshActiveModel(rt.db, rt.config.AGREEMENT_ID).catch((err) =>
        rt.log.warn({ err: err.message }, 'could not check for a promoted model'),
      );
    }
    try {
      return await batcher.submit(job.data.reportId, attempt);
    } catch (err) {
      if (attempt >= (job.opts.attempts ?? 1)) {
        await markReportFailed(rt.db, job.data.reportId, err instanceof Error ? err.message : String(err), attempt);
      }
      throw err;
    }
  };
  // The pool ends with the worker (startWorkers' close), once its jobs, and so their batches, are done.
  return Object.assign(processor, { close: () => deps.pool.end() });
}
