// Redis connections for BullMQ. Producers fail fast while Redis is away (the outbox keeps the work);
// workers wait and reconnect for ever.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';

export function redisConnection(url: string, log: Logger, kind: 'producer' | 'worker' | 'probe'): Redis {
  const opts: RedisOptions = {
    maxRetriesPerRequest: kind === 'worker' ? null : 1,
    enableOfflineQueue: kind === 'worker',
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    lazyConnect: false,
  };
  const conn = new Redis(url, opts);
  let warned = false;
  conn.on('error', (err) => {
    // ioredis emits on every failed reconnect; one line per outage is enough.
    if (!warned) log.warn({ err: err.message, kind }, 'redis unavailable');
    warned = true;
  });
  conn.on('ready', () => {
    if (warned) log.info({ kind }, 'redis reachable again');
    warned = false;
  });
  return conn;
}
