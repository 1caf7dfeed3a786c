// Builds the shared dependencies once per process (database, Redis, queues, storage, auth helpers).
import { Queue } from 'bullmq';
import { useAgreements } from './agreements/index.ts';
import { appendAudit, type AuditEntry } from './audit/index.ts';
import { createAttemptLimiter, createLoginLimiter } from './auth/login-limiter.ts';
import { createSecretBox } from './second-factor/secret-box.ts';
import { createTokenVerifier } from './tokens/index.ts';
import { createCredentialEpoch } from './auth/credential-epoch.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createDb, type Db } from './db/client.ts';
import { createLogger, type Logger } from './logger.ts';
import { redisConnection } from './queue/connection.ts';
import { QUEUES } from './queue/names.ts';
import type { IntakeDeps } from './reports/service.ts';
import { createReportWriter } from './reports/writer.ts';
import { createIntakeQuota } from './reports/quota.ts';
import { createFileStore, type FileStore } from './storage/files.ts';
import { createCustodySigner, type CustodySigner } from './custody/keys.ts';
import type { Redis } from 'ioredis';
import { createIncidentEventPublisher, type IncidentEventSink } from './live/events.ts';
import { createMetrics, type Metrics } from './metrics/index.ts';
import { sharedState } from './metrics/sources.ts';

export interface Runtime {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  files: FileStore;
  /** Signs custody packages; its public key is what investigators pin. */
  custodySigner: CustodySigner;
  redis: Redis;
  queues: Map<string, Queue>;
  /** Publishes live incident events (src/live) after a change committed. */
  incidentEvents: IncidentEventSink;
  intake: IntakeDeps;
  metrics: Metrics;
  audit(entry: AuditEntry): Promise<void>;
  close(): Promise<void>;
}

export function createRuntime(config: Config, opts: { clock?: Clock; log?: Logger } = {}): Runtime {
  const log = opts.log ?? createLogger(config.LOG_LEVEL, { role: config.ROLE });
  // The agreement this process runs reaches every module through the agreements' loader.
  useAgreements(config);
  const clock = opts.clock ?? systemClock;
  const db = createDb(config.DATABASE_URL, { max: 20 });
  const redis = redisConnection(config.REDIS_URL, log, 'producer');
  const queues = new Map<string, Queue>();
  for (const name of Object.values(QUEUES)) {
    const q = new Queue(name, { connection: redis, prefix: config.QUEUE_PREFIX });
    q.on('error', () => undefined); // reported once by the connection's own handler
    queues.set(name, q);
  }
  const files = createFileStore(config.STORAGE_DIR);
  const metrics = createMetrics();
  metrics.watch(sharedState({ db, queues, clock }));
  const incidentEvents = createIncidentEventPublisher(redis, config.QUEUE_PREFIX, log);
  return {
    config,
    db,
    log,
    clock,
    files,
    custodySigner: createCustodySigner(config.CUSTODY_SIGNING_KEY, config.SESSION_SECRET),
    redis,
    queues,
    incidentEvents,
    metrics,
    intake: {
      db,
      metrics,
      events: incidentEvents,
      files,
      clock,
      writer: createReportWriter(db),
      quota: createIntakeQuota(
        redis,
        { perMinute: config.INTAKE_PER_MINUTE, burst: config.INTAKE_BURST, perHour: config.INTAKE_PER_HOUR },
        config.QUEUE_PREFIX,
      ),
      limits: {
        maxAttachments: config.MAX_ATTACHMENTS,
        maxAttachmentBytes: config.MAX_ATTACHMENT_BYTES,
        maxNarrativeChars: config.MAX_NARRATIVE_CHARS,
      },
    },
    async audit(entry) {
      await appendAudit(db, entry, clock);
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      redis.disconnect();
      await db.$disconnect();
    },
  };
}

export function authDeps(rt: Runtime) {
  const credentialEpoch = createCredentialEpoch(rt.redis, rt.config.QUEUE_PREFIX);
  const limits = {
    maxPerAccount: rt.config.LOGIN_MAX_ATTEMPTS,
    windowSeconds: rt.config.LOGIN_WINDOW_SECONDS,
    prefix: rt.config.QUEUE_PREFIX,
  };
  return {
    credentialEpoch,
    tokens: createTokenVerifier(rt.db, credentialEpoch, Date.now, () => rt.clock.now()),
    loginLimiter: createLoginLimiter(rt.redis, limits),
    // Second-factor codes are guessed like passwords, and limited like them (a budget of their own).
    secondFactor: {
      box: createSecretBox(rt.config.SECOND_FACTOR_KEY ?? rt.config.SESSION_SECRET),
      limiter: createAttemptLimiter(rt.redis, { ...limits, kind: 'second-factor' }),
    },
  };
}
