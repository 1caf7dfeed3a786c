// Liveness says the process runs; readiness says it can do its work (database and Redis answer).
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client.ts';

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

export function healthRouter(deps: { db: Db; redis: Redis }): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    const [db, redis] = await Promise.all([
      within(1_500, deps.db.$queryRaw`SELECT 1`).then(
        () => 'ok',
        (e: Error) => `down: ${e.message.split('\n')[0]}`,
      ),
      within(1_500, deps.redis.ping()).then(
        () => 'ok',
        (e: Error) => `down: ${e.message.split('\n')[0]}`,
      ),
    ]);
    const ready = db === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { database: db, redis } });
  });
  return r;
}
