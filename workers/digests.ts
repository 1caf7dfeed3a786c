// digests queue: compile-digest jobs → createDigest. A scheduled run digests the last completed week in the
// digest time zone; run twice (a retry after a lost ack), it returns the digest already stored for that week.
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { CompileDigestJob } from '../src/queue/names.ts';
import { createDigest, lastCompletedWeek } from '../src/digests/index.ts';

export function digestsProcessor(rt: Runtime): Processor<CompileDigestJob> {
  return async (job: Job<CompileDigestJob>) => {
    const { trigger, from, to, requestedById } = job.data;
    const period = from && to ? { from: new Date(from), to: new Date(to) } : lastCompletedWeek(rt.clock.now(), rt.config.DIGEST_TZ);
    const existing = await rt.db.digest.findFirst({
      where: { periodFrom: period.from, periodTo: period.to, trigger, requestedById: requestedById ?? null },
      select: { id: true },
    });
    if (existing) return { id: existing.id, reused: true };
    const digest = await createDigest(rt.db, { ...period, trigger, requestedById: requestedById ?? null }, rt.clock);
    return { id: digest.id, reused: false };
  };
}
