// Login attempts are limited per account and per address. Counters live in Redis so every API process
// shares them; while Redis is away an in-process limiter stands in rather than letting guesses through.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequests } from '../errors.ts';

export interface LoginLimiter {
  check(username: string, ip: string): Promise<void>;
  failed(username: string, ip: string): Promise<void>;
  succeeded(username: string): Promise<void>;
}

export function createLoginLimiter(redis: Redis | null, opts: { maxPerAccount: number; windowSeconds: number; prefix: string }): LoginLimiter {
  const make = (points: number, keyPrefix: string): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration: opts.windowSeconds, keyPrefix });
    return redis
      ? new RateLimiterRedis({ storeClient: redis, points, duration: opts.windowSeconds, keyPrefix: `${opts.prefix}:${keyPrefix}`, insuranceLimiter: memory })
      : memory;
  };
  const perAccount = make(opts.maxPerAccount, 'login-user');
  const perIp = make(opts.maxPerAccount * 10, 'login-ip');
  const account = (u: string) => u.trim().toLowerCase().slice(0, 64);
  const blocked = async (l: RateLimiterAbstract, key: string) => {
    const res = await l.get(key).catch(() => null);
    return res && res.consumedPoints >= l.points ? Math.ceil(res.msBeforeNext / 1000) : 0;
  };
  return {
    async check(username, ip) {
      const wait = Math.max(await blocked(perAccount, account(username)), await blocked(perIp, ip));
      if (wait > 0) throw new TooManyRequests(wait, `too many failed logins; try again in ${wait} s`);
    },
    async failed(username, ip) {
      await Promise.all([perAccount.penalty(account(username), 1), perIp.penalty(ip, 1)].map((p) => p.catch((e) => {
        if (!(e instanceof RateLimiterRes)) throw e;
      })));
    },
    async succeeded(username) {
      await perAccount.delete(account(username)).catch(() => undefined);
    },
  };
}
