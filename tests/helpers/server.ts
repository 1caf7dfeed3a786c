// Starts the real API (and optionally the outbox relay and workers) on a fresh database, a private
// BullMQ prefix and a temporary storage dir. Nothing is mocked: PostgreSQL, Redis and the disk are real.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { startApi, type RunningApi } from '../../src/api.ts';
import { startOutboxRelay, type OutboxRelay } from '../../src/outbox/relay.ts';
import { createUser, type Role, type AuthUser } from '../../src/users/index.ts';
import { createToken } from '../../src/tokens/index.ts';
import { createLogger } from '../../src/logger.ts';
import type { Clock } from '../../src/clock.ts';
import { startWorkers, type RunningWorkers } from '../../workers/index.ts';
import { createTestDatabase } from './db.ts';
import { configuredJobOptions } from '../../src/queue/names.ts';
import { needsSecondFactor } from '../../src/auth/policies.ts';
import { confirmEnrollment } from '../../src/second-factor/index.ts';
import { newTotpSecret, stepAt, totpCode } from '../../src/second-factor/totp.ts';
import { Authenticator } from './totp.ts';

/**
 * A user with a password and a personal API token. Commission and admin users are enrolled in the second factor
 * through the real enrollment (a known secret): `authenticator` gives their codes, `recoveryCodes` their codes shown once.
 */
export interface TestUser {
  user: AuthUser;
  username: string;
  password: string;
  token: string;
  authenticator?: Authenticator;
  recoveryCodes?: string[];
}

export interface TestServer {
  url: string;
  rt: Runtime;
  api: RunningApi;
  config: Config;
  relay: OutboxRelay | null;
  workers: RunningWorkers | null;
  /** `enrolled: false` leaves a commission or admin user to enroll on their first sign-in, as a new account does. */
  makeUser(role: Role, username?: string, opts?: { enrolled?: boolean }): Promise<TestUser>;
  startWorkers(): RunningWorkers;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  clock?: Clock;
  relay?: boolean;
  workers?: boolean;
  /** Rewrites the test database URL, e.g. to route it through a TCP proxy a test can cut. */
  databaseUrl?: (url: string) => string;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const storage = await mkdtemp(path.join(os.tmpdir(), 'ceasefire-test-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(db.url) : db.url,
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    STORAGE_DIR: storage,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SEED_DEMO: 'false',
    OUTBOX_POLL_MS: '50',
    WORKER_CONCURRENCY: '4',
    ...opts.env,
  });
  const log = createLogger(config.LOG_LEVEL);
  const rt = createRuntime(config, { clock: opts.clock, log });
  const api = await startApi(rt, 0, '127.0.0.1');
  const relay =
    opts.relay === false
      ? null
      : startOutboxRelay({
          db: rt.db,
          queues: rt.queues,
          log,
          pollMs: config.OUTBOX_POLL_MS,
          fairness: { redis: rt.redis, prefix: config.QUEUE_PREFIX },
          jobOptions: configuredJobOptions(config),
        });
  let workers: RunningWorkers | null = opts.workers ? startWorkers(rt) : null;
  let n = 0;
  return {
    url: api.url,
    rt,
    api,
    config,
    relay,
    get workers() {
      return workers;
    },
    startWorkers() {
      workers = startWorkers(rt);
      return workers;
    },
    async makeUser(role, username, opts = {}) {
      const name = username ?? `${role}${++n}_${randomBytes(3).toString('hex')}`;
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const user = await createUser(rt.db, { username: name, password, role });
      const { token } = await createToken(rt.db, user.id, 'test');
      if (!needsSecondFactor(user) || opts.enrolled === false) return { user, username: name, password, token };
      const secret = newTotpSecret();
      // Enrolled with the previous step's code (inside the window), so the current and the next step's codes are
      // both left for sign-ins without waiting; should the clock just have moved on, the current step's.
      const enrollWith = async (step: number) => ({
        step,
        codes: await confirmEnrollment(
          { db: rt.db, clock: rt.clock, ...api.deps.secondFactor },
          user,
          secret,
          totpCode(secret, step),
          '127.0.0.1',
        ),
      });
      const now = stepAt(rt.clock.now().getTime());
      const { step, codes } = await enrollWith(now - 1).catch(() => enrollWith(stepAt(rt.clock.now().getTime())));
      return {
        user,
        username: name,
        password,
        token,
        authenticator: new Authenticator(secret, rt.clock, step),
        recoveryCodes: codes,
      };
    },
    async close() {
      await workers?.close();
      await relay?.stop();
      await api.close();
      await Promise.allSettled([...rt.queues.values()].map((q) => q.obliterate({ force: true })));
      await rt.close();
      await db.drop();
      await rm(storage, { recursive: true, force: true });
    },
  } as TestServer;
}
