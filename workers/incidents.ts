// incidents queue: merge-tied jobs → mergeTiedIncidents. Safe to run twice: a second run finds the others merged.
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { MergeTiedJob } from '../src/queue/names.ts';
import { mergeTiedIncidents } from '../src/incidents/auto-merge.ts';
import { loadAgreement } from '../src/agreements/index.ts';

export function incidentsProcessor(rt: Runtime): Processor<MergeTiedJob> {
  const termIds = loadAgreement(rt.config.AGREEMENT_ID).terms.map((t) => t.id);
  return async (job: Job<MergeTiedJob>) => {
    const { incidentId, otherIds, reportId } = job.data;
    return mergeTiedIncidents(
      { db: rt.db, clock: rt.clock, termIds, events: rt.incidentEvents },
      incidentId,
      otherIds,
      reportId,
    );
  };
}
