// The benchmark's world: a dedicated database (dropped and recreated), a private queue prefix and storage
// dir, observers with API tokens, and the server under test as child processes (tests/helpers/processes.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Queue } from 'bullmq';
import { migrate } from '../src/db/migrate.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { createUser } from '../src/users/index.ts';
import { createToken } from '../src/tokens/index.ts';
import { spawnServer, type ServerProcess } from '../tests/helpers/processes.ts';

// BENCH_DB lets two benchmark runs share a PostgreSQL without dropping each other's database.
export const BENCH_DB = process.env.BENCH_DB ?? 'ceasefire_bench';
const PG_BASE = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function dbUrl(name = BENCH_DB): string {
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropQuietly(name: string, recreate: boolean): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    if (recreate) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
}

export async function recreateDatabase(name = BENCH_DB): Promise<string> {
  await dropQuietly(name, true);
  await migrate(dbUrl(name));
  return dbUrl(name);
}

export const dropDatabase = (name = BENCH_DB) => dropQuietly(name, false);

export interface BenchWorld {
  db: Db;
  url: string;
  env: Record<string, string>;
  prefix: string;
  storage: string;
  observers: Array<{ id: string; token: string }>;
  spawned: ServerProcess[];
  startApi(extra?: { env?: Record<string, string>; nodeArgs?: string[] }): Promise<ServerProcess>;
  startWorkers(extra?: { env?: Record<string, string>; nodeArgs?: string[] }): Promise<ServerProcess>;
  stopAll(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh world: database recreated, `observerCount` observers with tokens. */
export async function createWorld(observerCount = 32): Promise<BenchWorld> {
  const url = await recreateDatabase();
  const db = createDb(url, { max: 8 });
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const storage = await mkdtemp(path.join(os.tmpdir(), 'ceasefire-bench-'));
  const observers = [];
  for (let i = 0; i < observerCount; i += 1) {
    const user = await createUser(db, { username: `bench.obs${i}`, password: `bench-pass-${i}-xyz`, role: 'observer' });
    observers.push({ id: user.id, token: (await createToken(db, user.id, 'bench')).token });
  }
  // Production-like: no demo seed, warn-level logs, secure cookies; the URL is loopback only.
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    STORAGE_DIR: storage,
    SEED_DEMO: 'false',
    COOKIE_SECURE: 'true',
    SESSION_SECRET: randomBytes(24).toString('hex'),
    // Both required in production: where clients reach the server (loopback here), and a fresh Ed25519 seed per world.
    PUBLIC_URL: 'http://127.0.0.1',
    CUSTODY_SIGNING_KEY: randomBytes(32).toString('base64'),
    // The benchmarks measure throughput with a few accounts filing flat out: the per-account quota is raised.
    INTAKE_PER_MINUTE: '10000000',
    INTAKE_BURST: '0',
    INTAKE_PER_HOUR: '100000000',
  };
  const spawned: ServerProcess[] = [];
  const world: BenchWorld = {
    db,
    url,
    env,
    prefix,
    storage,
    observers,
    spawned,
    async startApi(extra = {}) {
      const p = await spawnServer({ role: 'api', env: { ...env, ...extra.env }, nodeArgs: extra.nodeArgs });
      spawned.push(p);
      return p;
    },
    async startWorkers(extra = {}) {
      const probe = new Queue('reports', { connection: { url: REDIS_URL }, prefix });
      try {
        const p = await spawnServer({
          role: 'worker',
          env: { ...env, ...extra.env },
          nodeArgs: extra.nodeArgs,
          ready: async () => (await probe.getWorkersCount()) > spawned.filter((s) => s.url === '').length,
        });
        spawned.push(p);
        return p;
      } finally {
        await probe.close();
      }
    },
    async stopAll() {
      await Promise.all(spawned.map((p) => p.kill('SIGTERM')));
      spawned.length = 0;
    },
    async close() {
      await world.stopAll();
      for (const name of ['reports', 'digests']) {
        const q = new Queue(name, { connection: { url: REDIS_URL }, prefix });
        await q.obliterate({ force: true }).catch(() => undefined);
        await q.close();
      }
      await db.$disconnect();
      await rm(storage, { recursive: true, force: true });
    },
  };
  return world;
}
