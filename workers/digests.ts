// digests queue: compile-digest jobs → compileDigestJob, with the configured agreement. A scheduled run digests the
// last completed week in the digest time zone; run twice (a retry after a lost ack), it returns the digest already
// stored for that week.
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { CompileDigestJob } from '../src/queue/names.ts';
import { loadAgreement } from '../src/agreements/index.ts';
import { compileDigestJob } from '../src/digests/index.ts';

export function digestsProcessor(rt: Runtime): Processor<CompileDigestJob> {
  const deps = {
    db: rt.db,
    clock: rt.clock,
    agreement: loadAgreement(rt.config.AGREEMENT_ID),
    timeZone: rt.config.DIGEST_TZ,
  };
  return async (job: Job<CompileDigestJob>) => compileDigestJob(deps, job.data);
}
