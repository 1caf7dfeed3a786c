// The jobs' data access: BullMQ's failed sets (the dead letters) in Redis, one Queue per queue name (src/queue).
import type { Job, Queue } from 'bullmq';

export type Queues = ReadonlyMap<string, Queue>;

/** Up to `limit` failed jobs of each queue, with the queue they are in. */
export async function failedJobs(queues: Queues, limit: number): Promise<Array<{ queue: string; job: Job }>> {
  const lists = await Promise.all(
    [...queues].map(async ([queue, q]) =>
      (await q.getFailed(0, limit - 1)).filter((j): j is Job => !!j).map((job) => ({ queue, job })),
    ),
  );
  return lists.flat();
}

/** How many jobs each queue holds in each state, for the metrics. */
export async function jobCounts(queues: Queues): Promise<Array<{ queue: string; state: string; count: number }>> {
  const states = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;
  const lists = await Promise.all(
    [...queues].map(async ([queue, q]) => {
      const counts = await q.getJobCounts(...states);
      return states.map((state) => ({ queue, state, count: counts[state] ?? 0 }));
    }),
  );
  return lists.flat();
}

export async function findJob(queues: Queues, queue: string, jobId: string): Promise<Job | undefined> {
  return queues.get(queue)?.getJob(jobId);
}
