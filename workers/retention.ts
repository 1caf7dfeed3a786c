// retention queue: apply-retention jobs → applyRetention with the rules configured now. Safe to run twice: a report
// already erased is not due any more, and an erasure is idempotent.
import type { Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { ApplyRetentionJob } from '../src/queue/names.ts';
import { applyRetention } from '../src/erasure/index.ts';

export function retentionProcessor(rt: Runtime): Processor<ApplyRetentionJob> {
  return async () => {
    const rules = {
      rejectedDays: rt.config.RETENTION_REJECTED_DAYS ?? null,
      unrelatedDays: rt.config.RETENTION_UNRELATED_DAYS ?? null,
    };
    const erased = await applyRetention(
      { db: rt.db, clock: rt.clock, files: rt.files, events: rt.incidentEvents },
      rules,
    );
    rt.log.info({ erased, ...rules }, 'retention applied');
    return { erased };
  };
}
