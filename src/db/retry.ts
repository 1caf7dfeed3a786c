// A transaction PostgreSQL picked as a deadlock victim, or one that lost a write conflict, rolled back whole: the
// PostgreSQL manual's advice is to run it again, which is what a client does on the 503 such a failure becomes
// (src/http/errors.ts). A request that takes an incident and then its report meets the workers, which take a report
// and then its incident; run here again at once, it usually finds the way clear. Only for callbacks that touch
// nothing but the transaction: anything they did outside it would be done twice.
import { setTimeout as sleep } from 'node:timers/promises';

const RETRIES = 2;

/** Deadlock (40P01) or serialization failure (40001), as Prisma reports them. */
export function isDeadlockOrConflict(err: unknown): boolean {
  const e = err as { code?: string; message?: string; meta?: { code?: string } };
  return (
    e?.code === 'P2034' ||
    e?.meta?.code === '40P01' ||
    e?.meta?.code === '40001' ||
    /deadlock detected|could not serialize access/i.test(e?.message ?? '')
  );
}

export async function retryOnDeadlock<T>(run: () => Promise<T>, retries = RETRIES): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= retries || !isDeadlockOrConflict(err)) throw err;
      // A few milliseconds, different each time, so two victims do not meet again in step.
      await sleep(5 + Math.floor(Math.random() * 20) * (attempt + 1));
    }
  }
}
