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

export async function findJob(queues: Queues, queue: string, jobId: string): Promise<Job | undefined> {
  return queues.get(queue)?.getJob(jobId);
}
