// What the HTTP layer needs, passed in once (a container, as ODK Central does).
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { doubleCsrf } from 'csrf-csrf';
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { FileStore } from '../storage/files.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { AuditEntry } from '../audit/index.ts';
import type { IntakeDeps } from '../reports/service.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  log: Logger;
  clock: Clock;
  files: FileStore;
  redis: Redis;
  queues: Map<string, Queue>;
  tokens: TokenVerifier;
  loginLimiter: LoginLimiter;
  csrf: ReturnType<typeof doubleCsrf>;
  intake: IntakeDeps;
  audit(entry: AuditEntry): Promise<void>;
}
