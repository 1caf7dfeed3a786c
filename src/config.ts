// The one place that reads process.env. A bad value stops the process with a message naming the variable.
import { z } from 'zod';
import { parseSigningKey } from './custody/keys.ts';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Comma-separated origins (scheme://host[:port]), each normalised as browsers send them in Origin. */
const origins = z.string().transform((v, ctx) => {
  const out: string[] = [];
  for (const item of v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    let origin: string | null = null;
    try {
      origin = new URL(item).origin;
    } catch {
      /* reported below */
    }
    if (!origin || origin === 'null' || !/^https?:/.test(origin))
      ctx.addIssue({ code: 'custom', message: `not an http(s) origin: ${item}` });
    else out.push(origin);
  }
  return out;
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:/.test(u), 'must be a postgresql:// URL')
    .default('postgresql://postgres@127.0.0.1:5432/ceasefire'),
  REDIS_URL: z
    .string()
    .url()
    .refine((u) => /^rediss?:/.test(u), 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().min(1).default('ceasefire'),
  STORAGE_DIR: z.string().min(1).default('./storage'),
  SESSION_SECRET: z.string().min(16).default('dev-only-session-secret-change-me'),
  // Encrypts the second-factor secrets at rest; derived from SESSION_SECRET when unset (then changing that secret
  // makes every enrolled authenticator unreadable: admins reset them and people enroll again).
  SECOND_FACTOR_KEY: z.string().min(32).optional(),
  // Signs incident custody packages (Ed25519; PKCS#8 PEM, or base64 of a PKCS#8 DER or a 32-byte seed). Required in
  // production; elsewhere a development key is derived from SESSION_SECRET.
  CUSTODY_SIGNING_KEY: z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      try {
        parseSigningKey(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a usable Ed25519 private key: ${(err as Error).message}` });
      }
    })
    .optional(),
  COOKIE_SECURE: bool.optional(),
  TRUST_PROXY: z.string().default('loopback'),
  // Where clients reach this server (scheme, host, optional port and path prefix). Absolute links handed to clients
  // (ODK form lists, setup codes) are built from it, never from a request's Host header, which a client can forge.
  PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s):// URL')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  // Where browsers reach the app besides the Host it is asked for (a proxy that rewrites Host, another name):
  // sign-in and token requests from any other origin are refused (login CSRF).
  ALLOWED_ORIGINS: origins.default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_ATTACHMENTS: z.coerce.number().int().min(0).max(50).default(10),
  // A request is cut only when nothing has arrived for this long: a photo at 10 KB/s takes minutes and must finish,
  // a stalled connection must not hold its socket. (A total time limit cut 3.7 MB at 10 KB/s after 5 minutes.)
  UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  // The live incident stream (GET /api/incidents/events) sends a comment this often: it must stay under
  // UPLOAD_IDLE_TIMEOUT_MS or the server cuts the quiet stream, and under proxies' idle limits (often 60 s).
  LIVE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
  // A stream is ended after this long and the browser reconnects: the session or token is checked again, so a
  // signed-out or disabled account stops receiving events within this time.
  LIVE_STREAM_MAX_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
  // An ODK Collect setup code an admin makes for an observer works only if scanned within this many minutes.
  ODK_SETUP_CLAIM_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(25 * 1024 * 1024),
  // All parts of one upload together (streamed to disk, so this bounds disk per request, not memory).
  MAX_REQUEST_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(100 * 1024 * 1024),
  // Resumable photo uploads (POST /api/uploads): an observer holds at most MAX_OPEN_UPLOADS unfinished or unused ones;
  // one idle (no chunk, not cited) for UPLOAD_EXPIRY_HOURS is swept with its bytes. Each is at most MAX_ATTACHMENT_BYTES.
  MAX_OPEN_UPLOADS: z.coerce.number().int().min(1).max(1000).default(20),
  UPLOAD_EXPIRY_HOURS: z.coerce.number().min(0.01).max(720).default(24),
  MAX_NARRATIVE_CHARS: z.coerce.number().int().min(100).default(50_000),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  LOGIN_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(15 * 60),
  // Per-account intake quota (src/reports/quota.ts), far above what an observer files in the field: a rate per
  // minute, a burst above it (at most INTAKE_BURST more an hour: an outbox sent after a day offline) and an
  // hourly ceiling. A flood from one stolen or scripted account is refused with 429 and Retry-After.
  INTAKE_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  INTAKE_BURST: z.coerce.number().int().min(0).default(120),
  INTAKE_PER_HOUR: z.coerce.number().int().min(1).default(600),
  // Reports jobs run at once per worker process; they are processed in batches of up to PIPELINE_BATCH_SIZE
  // (1: one transaction per report), so twice the batch size keeps one batch forming while another commits
  // (PIPELINE_BATCHES_IN_FLIGHT at once per process).
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(128),
  PIPELINE_BATCH_SIZE: z.coerce.number().int().min(1).max(256).default(64),
  PIPELINE_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1000).default(5),
  // Batches a worker process commits at once; the next one forms meanwhile (src/pipeline/batcher.ts). Unset: 1, and
  // no limit with batches of one report.
  PIPELINE_BATCHES_IN_FLIGHT: z.coerce.number().int().min(1).max(64).optional(),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(250),
  DIGEST_CRON: z.string().default('0 6 * * 1'),
  DIGEST_TZ: z.string().default('Africa/Tripoli'),
  // When the classifier is retrained from the commission's corrections (in DIGEST_TZ); promoted only if not worse.
  MODEL_RETRAIN_CRON: z.string().default('30 2 * * *'),
  // The labeled corpus a retrained model learns from besides the corrections (data/corpus/manifest.json).
  TRAINING_MANIFEST: z.string().min(1).default('data/corpus/manifest.json'),
  // Retention (src/erasure): reports of incidents rejected more than RETENTION_REJECTED_DAYS ago, and reports unrelated
  // to the agreement (terms "none", incident not verified) received more than RETENTION_UNRELATED_DAYS ago, are
  // erased by a job on RETENTION_CRON (in DIGEST_TZ). Unset: kept for good.
  RETENTION_REJECTED_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  RETENTION_UNRELATED_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  // Notices a member has read are deleted this many days after they were read, in the same nightly job; 0: kept.
  NOTICE_READ_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  RETENTION_CRON: z.string().default('15 3 * * *'),
  AGREEMENT_ID: z.string().default('libya-2020'),
  // A folder of further agreements (<id>.json, lexicon/<id>.json, gazetteer/<name>.json), searched before the built-in ones.
  AGREEMENTS_DIR: z.string().min(1).optional(),
  // Webhook deliveries (src/webhooks): tries per delivery before it is dead, the wait before the second try (doubled
  // for each further one: 30 s, 1 min, 2 min ... about 4 h 15 min over 10 tries) and how long a receiver may take.
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(10),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // Notices by email (src/notifications): the SMTP server (smtp://user:pass@host:587, smtps://... for TLS from the
  // start) and the sender address; nothing is emailed while SMTP_URL is unset. A notice's email is tried
  // NOTIFY_EMAIL_ATTEMPTS times, waiting NOTIFY_EMAIL_BACKOFF_MS, then twice that, and so on.
  SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
    .optional(),
  NOTIFY_FROM: z.string().min(3).max(320).default('Ceasefire monitoring <no-reply@localhost>'),
  NOTIFY_EMAIL_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
  NOTIFY_EMAIL_BACKOFF_MS: z.coerce.number().int().min(10).default(30_000),
  // The shared secret SMS gateways authenticate with (src/sms); SMS intake is off (404) while it is unset.
  SMS_GATEWAY_SECRET: z.string().min(16).optional(),
  // The bearer token Prometheus scrapes /metrics with; no /metrics (404) while it is unset. METRICS_PORT: a port of
  // its own for /metrics in a process without the API (ROLE=worker), so its workers' counters are scraped too.
  METRICS_TOKEN: z.string().min(16).optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SEED_DEMO: bool.default(true),
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
});

export type Config = z.infer<typeof schema> & { cookieSecure: boolean };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.PUBLIC_URL) {
    throw new ConfigError(
      'invalid configuration:\n  PUBLIC_URL: required in production (e.g. https://monitoring.example.org)',
    );
  }
  if (c.NODE_ENV === 'production' && !c.CUSTODY_SIGNING_KEY) {
    throw new ConfigError(
      'invalid configuration:\n  CUSTODY_SIGNING_KEY: required in production (an Ed25519 private key, PEM or base64)',
    );
  }
  return { ...c, cookieSecure: c.COOKIE_SECURE ?? c.NODE_ENV === 'production' };
}

export class ConfigError extends Error {}
