// incidents queue: merge-tied jobs → mergeTiedIncidents. Safe to run twice: a second run finds the others merged.
// The merges run on a small node-postgres pool of their own, as the reports' batches do (src/db/pg-tx.ts).
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { MergeTiedJob } from '../src/queue/names.ts';
import { mergeTiedIncidents } from '../src/incidents/auto-merge.ts';
import { loadAgreement } from '../src/agreements/index.ts';
import { createPgPool } from '../src/db/pg-tx.ts';

export function incidentsProcessor(rt: Runtime): Processor<MergeTiedJob> & { close(): Promise<void> } {
  const termIds = loadAgreement(rt.config.AGREEMENT_ID).terms.map((t) => t.id);
  const deps = {
    db: rt.db,
    clock: rt.clock,
    termIds,
    events: rt.incidentEvents,
    pool: createPgPool(rt.config.DATABASE_URL, 2, (err) =>
      rt.log.warn({ err: err.message }, 'idle database connection lost'),
    ),
  };
  const processor = async (job: Job<MergeTiedJob>) => {
    const { incidentId, otherIds, reportId } = job.data;
    return mergeTiedIncidents(deps, incidentId, otherIds, reportId);
  };
  // The pool ends with the worker (startWorkers' close).
  return Object.assign(processor, { close: () => deps.pool.end() });
}
