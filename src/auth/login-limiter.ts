// Attempts at a secret (password, second-factor code) are limited per account and per address. An attempt takes
// its point before the secret is checked (an atomic increment in Redis), so parallel guesses cannot all pass a
// check made before any of them was counted; a right answer gives its point back, so only wrong ones count.
// Counters live in Redis so every API process shares them; while Redis is away an in-process limiter stands in
// rather than letting guesses through.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequests } from '../errors.ts';

export interface AttemptLimiter {
  /** Counts one attempt against the account and the address; throws TooManyRequests when either budget is spent. */
  consume(account: string, ip: string): Promise<void>;
  /** The attempt was right: its point goes back to both budgets. */
  refund(account: string, ip: string): Promise<void>;
}
/** Password attempts, whichever door they come through (sign-in form, token request, OpenRosa Basic). */
export type LoginLimiter = AttemptLimiter;

export interface AttemptLimiterOptions {
  /** Attempts per account per window; an address gets ten times as many (several people behind one NAT). */
  maxPerAccount: number;
  windowSeconds: number;
  /** Redis key prefix of this installation (its queue prefix), then what is being guessed. */
  prefix: string;
  kind?: 'login' | 'second-factor';
}

export function createAttemptLimiter(redis: Redis | null, opts: AttemptLimiterOptions): AttemptLimiter {
  const kind = opts.kind ?? 'login';
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration: opts.windowSeconds, keyPrefix });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          points,
          duration: opts.windowSeconds,
          keyPrefix: `${opts.prefix}:${keyPrefix}`,
          insuranceLimiter: memory,
        })
      : memory;
  };
  const perAccount = make(opts.maxPerAccount, `${kind}-user`);
  const perIp = make(opts.maxPerAccount * 10, `${kind}-ip`);
  const account = (u: string) => u.trim().toLowerCase().slice(0, 64);
  return {
    async consume(username, ip) {
      const outcomes = await Promise.allSettled([perAccount.consume(account(username)), perIp.consume(ip)]);
      let waitMs = 0;
      for (const o of outcomes) {
        if (o.status === 'fulfilled') continue;
        if (!(o.reason instanceof RateLimiterRes)) throw o.reason;
        waitMs = Math.max(waitMs, o.reason.msBeforeNext);
      }
      if (waitMs > 0) {
        const wait = Math.max(1, Math.ceil(waitMs / 1000));
        throw new TooManyRequests(wait, `too many failed attempts; try again in ${wait} s`);
      }
    },
    async refund(username, ip) {
      await Promise.all(
        [perAccount.reward(account(username), 1), perIp.reward(ip, 1)].map((p) => p.catch(() => undefined)),
      );
    },
  };
}

export function createLoginLimiter(redis: Redis | null, opts: Omit<AttemptLimiterOptions, 'kind'>): LoginLimiter {
  return createAttemptLimiter(redis, { ...opts, kind: 'login' });
}
