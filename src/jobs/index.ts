// Jobs: the dead letters. A job that failed after its last retry stays in BullMQ's failed set (removeOnFail: false);
// the commission and admins list them, and send one back for another round of attempts, audited.
import type { Job } from 'bullmq';
import { appendAudit } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { Conflict, NotFound } from '../errors.ts';
import { failedJobs, findJob, type Queues } from './repository.ts';

export interface JobsDeps {
  db: Db;
  clock: Clock;
  queues: Queues;
}

export interface FailedJobView {
  queue: string;
  jobId: string;
  name: string;
  data: Record<string, unknown>;
  failedReason: string | null;
  attemptsMade: number;
  finishedOn: string | null;
}

const view = (queue: string, j: Job): FailedJobView => ({
  queue,
  jobId: String(j.id),
  name: j.name,
  data: j.data as Record<string, unknown>,
  failedReason: j.failedReason ?? null,
  attemptsMade: j.attemptsMade,
  finishedOn: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
});

/** Failed jobs of every queue, newest first. */
export async function listFailedJobs(queues: Queues, limit: number): Promise<FailedJobView[]> {
  const all = (await failedJobs(queues, limit)).map(({ queue, job }) => view(queue, job));
  return all.sort((a, b) => (b.finishedOn ?? '').localeCompare(a.finishedOn ?? '')).slice(0, limit);
}

/**
 * Sends a failed job back to its queue with its attempts reset. The audit row (job_retried) is written in a
 * transaction that commits only once BullMQ has taken the job back: a retry that fails leaves no row, and no retry
 * happens without its row being written first.
 */
export async function retryFailedJob(
  deps: JobsDeps,
  actor: { id: string; username: string },
  queue: string,
  jobId: string,
) {
  const job = await findJob(deps.queues, queue, jobId);
  if (!job) throw new NotFound('job');
  if (!(await job.isFailed())) throw new Conflict('only a failed job can be retried');
  await deps.db.$transaction(async (tx) => {
    await appendAudit(
      tx,
      {
        actorId: actor.id,
        actorName: actor.username,
        action: 'job_retried',
        entityType: 'job',
        entityId: `${queue}/${jobId}`,
        before: { failedReason: job.failedReason ?? null, attemptsMade: job.attemptsMade },
        after: { queue, jobId, name: job.name, data: job.data },
      },
      deps.clock,
    );
    await job.retry('failed', { resetAttemptsMade: true });
  });
  return { queue, jobId, state: 'waiting' as const };
}
