// retention queue: apply-retention jobs → applyRetention with the rules configured now, then pruneReadNotices. Safe to
// run twice: a report already erased is not due any more, an erasure is idempotent, and a deleted notice is gone.
import type { Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { ApplyRetentionJob } from '../src/queue/names.ts';
import { applyRetention } from '../src/erasure/index.ts';
import { pruneReadNotices } from '../src/notifications/index.ts';

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
    const noticesDeleted = await pruneReadNotices(rt, rt.config.NOTICE_READ_RETENTION_DAYS);
    rt.log.info({ erased, ...rules, noticesDeleted }, 'retention applied');
    return { erased, noticesDeleted };
  };
}
