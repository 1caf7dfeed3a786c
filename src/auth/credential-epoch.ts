// One counter in Redis, bumped whenever what some account may do changes (disabled or enabled, role changed, a
// token revoked, a second factor reset). The caches of verified credentials in every API process (bearer tokens,
// ODK Basic pairs) remember the epoch they were filled in and trust an entry only while it is unchanged, so a change
// made through any process is seen by all of them on their next request: one Redis GET per request instead of a
// database read. Read before the database, so an entry can never be newer than its epoch. Changes are rare (admin
// actions), so one counter for every account costs a few database reads after each change and nothing else.
// While Redis cannot be read, no entry is trusted and every request reads the database.
import type { Redis } from 'ioredis';

export interface CredentialEpoch {
  /** The current epoch, or null when Redis does not answer (then trust no cached credential). */
  read(): Promise<string | null>;
  /** Call after the change is committed; false when Redis did not take it (the caches' own expiry still holds). */
  bump(): Promise<boolean>;
}

export function createCredentialEpoch(redis: Redis, prefix: string, timeoutMs = 250): CredentialEpoch {
  const key = `${prefix}:auth:credential-epoch`;
  const within = <T>(p: Promise<T>) =>
    new Promise<T | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        () => {
          clearTimeout(timer);
          resolve(null);
        },
      );
    });
  return {
    async read() {
      const v = await within(redis.get(key).then((x) => x ?? '0'));
      return v;
    },
    async bump() {
      return (await within(redis.incr(key))) !== null;
    },
  };
}
