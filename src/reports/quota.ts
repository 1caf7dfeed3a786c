// Per-account intake quota: how many new reports one observer account (whatever it files through: API token,
// browser session, OpenRosa) may file, as a per-minute rate with a burst allowance on top (an observer's phone
// sending a day's outbox at once) and an hourly ceiling. Counters live in Redis and are consumed atomically
// (one INCR per window; two API processes cannot both take the last point); while Redis is away an in-process
// limiter stands in, so intake keeps working through an outage as it does for the outbox.
// Only new reports count, and new versions of reports (ODK Collect's edits, src/reports/edits.ts): a retry of an
// accepted report (same clientId) or edit is given its point back, and is let through
// even when the account is over its quota (the report is already stored; refusing its retry helps no one).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequests } from '../errors.ts';

export interface QuotaLimits {
  perMinute: number;
  burst: number;
  perHour: number;
}

export interface IntakeQuota {
  /** Takes a point for a new report of this account; throws TooManyRequests (with the wait) when none is left. */
  take(accountId: string): Promise<Charge>;
}
/** The points one submission took: given back when it stored nothing new (a retry, or a refused report). */
export interface Charge {
  giveBack(): Promise<void>;
}

export function createIntakeQuota(redis: Redis | null, limits: QuotaLimits, prefix: string): IntakeQuota {
  const make = (points: number, duration: number, name: string): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: name });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points,
          duration,
          keyPrefix: `${prefix}:${name}`,
          insuranceLimiter: memory,
          rejectIfRedisNotReady: true,
        })
      : memory;
  };
  const minute = make(limits.perMinute, 60, 'intake-minute');
  // Points above the per-minute rate, at most `burst` an hour: a phone sending a day's outbox after a day offline.
  const burst = make(Math.max(1, limits.burst), 3600, 'intake-burst');
  const hour = make(limits.perHour, 3600, 'intake-hour');
  const consume = async (l: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> => {
    try {
      await l.consume(key);
      return null;
    } catch (res) {
      if (res instanceof RateLimiterRes) return res;
      throw res;
    }
  };
  const refused = (res: RateLimiterRes, what: string) => {
    const wait = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return new TooManyRequests(
      wait,
      `intake quota reached (${what}); this report was not stored, send it again in ${wait} s`,
    );
  };
  const giveBack = (taken: RateLimiterAbstract[], key: string) => async () => {
    await Promise.all(taken.map((l) => l.reward(key, 1).catch(() => undefined)));
  };
  return {
    async take(key) {
      const taken: RateLimiterAbstract[] = [];
      // A refused consume still counted in its window; that point is not given back (the window ends anyway).
      const overMinute = await consume(minute, key);
      if (overMinute) {
        const overBurst = await consume(burst, key);
        if (overBurst) throw refused(overMinute, `${limits.perMinute} reports a minute`);
        taken.push(burst);
      } else taken.push(minute);
      const overHour = await consume(hour, key);
      if (overHour) {
        await giveBack(taken, key)();
        throw refused(overHour, `${limits.perHour} reports an hour`);
      }
      taken.push(hour);
      return { giveBack: giveBack(taken, key) };
    },
  };
}
