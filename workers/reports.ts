// reports queue: process-report jobs → processReport. BullMQ retries with backoff; after the last attempt
// the report is marked failed with the reason, and the job stays in the failed set (the dead-letter view).
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { ProcessReportJob } from '../src/queue/names.ts';
import { createAnalyzer, markReportFailed, processReport, type Analyzer } from '../src/pipeline/index.ts';

export function reportsProcessor(rt: Runtime, analyzer: Analyzer = createAnalyzer(rt.config.AGREEMENT_ID)): Processor<ProcessReportJob> {
  const deps = { db: rt.db, clock: rt.clock, analyzer };
  return async (job: Job<ProcessReportJob>) => {
    const attempt = job.attemptsMade + 1;
    try {
      return await processReport(deps, job.data.reportId, { attempt });
    } catch (err) {
      if (attempt >= (job.opts.attempts ?? 1)) {
        await markReportFailed(rt.db, job.data.reportId, err instanceof Error ? err.message : String(err), attempt);
      }
      throw err;
    }
  };
}
