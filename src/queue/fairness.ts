// Fair share of the report workers between observers. Jobs are taken in the order they were queued, so one
// account filing thousands of reports would put everyone else's behind all of its own. Instead each observer's
// jobs are numbered in a window that lasts while the observer keeps filing (Redis, shared by every relay): the
// first FREE of them are queued as usual, later ones with a BullMQ priority equal to their number past FREE.
// BullMQ runs jobs without a priority first, then by priority: an observer filing at field rate always goes
// ahead of a flood, and the flood's own reports keep their order.
import type { Redis } from 'ioredis';

export interface Fairness {
  redis: Redis;
  prefix: string;
}

/** Jobs an observer may have queued in the window before the rest of theirs wait behind other observers'. */
export const FREE_JOBS = 30;
/** The window: an observer quiet this long starts again at zero. */
export const WINDOW_SECONDS = 300;
// BullMQ's largest priority.
const MAX_PRIORITY = 2 ** 21;

/** The priority of each job (undefined: none), in the order given; `observers[i]` filed job i (null: unknown). */
export async function fairPriorities(f: Fairness, observers: Array<string | null>): Promise<Array<number | undefined>> {
  const counts = new Map<string, number>();
  for (const o of observers) if (o) counts.set(o, (counts.get(o) ?? 0) + 1);
  if (!counts.size) return observers.map(() => undefined);
  const multi = f.redis.multi();
  for (const [o, n] of counts) multi.incrby(`${f.prefix}:fair:${o}`, n).expire(`${f.prefix}:fair:${o}`, WINDOW_SECONDS);
  const replies = (await multi.exec()) ?? [];
  // Numbered from the first of this batch: the counter after it, less the batch's own jobs.
  const next = new Map<string, number>();
  [...counts.keys()].forEach((o, i) => {
    const [err, total] = replies[i * 2] ?? [null, 0];
    if (err) throw err;
    next.set(o, Number(total) - counts.get(o)! + 1);
  });
  return observers.map((o) => {
    if (!o) return undefined;
    const k = next.get(o)!;
    next.set(o, k + 1);
    return k <= FREE_JOBS ? undefined : Math.min(MAX_PRIORITY, k - FREE_JOBS);
  });
}
