// Entry point. ROLE=api | worker | all (default): API and workers scale as separate processes.
import { ConfigError, loadConfig } from './config.ts';
import { migrate } from './db/migrate.ts';
import { createLogger } from './logger.ts';
import { createRuntime } from './runtime.ts';
import { startApi } from './api.ts';
import { pruneOutbox, startOutboxRelay } from './outbox/relay.ts';
import { seedDemo } from './seed/demo.ts';
import { startWorkers } from '../workers/index.ts';
import { registerSchedules } from './queue/schedules.ts';
import { configuredJobOptions } from './queue/names.ts';
import { ORPHAN_GRACE_MS, sweepOrphanFiles } from './storage/sweep.ts';
import { sweepExpiredUploads } from './uploads/service.ts';
import { forkApiProcesses, isApiChild } from './api-cluster.ts';
import { serveClusterMetrics } from './metrics/cluster.ts';
import { startMetricsServer } from './metrics/server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL, { role: isApiChild() ? 'api' : config.ROLE, pid: process.pid });
  const stops: Array<() => Promise<void>> = [];
  if (isApiChild()) {
    // A forked API process: the primary has migrated and seeded, and runs everything else.
    const rt = createRuntime(config, { log });
    stops.push((await startApi(rt)).close);
    onShutdown(log, stops, rt.close);
    return;
  }
  const migrated = await migrate(config.DATABASE_URL);
  if (migrated.applied.length) log.info({ applied: migrated.applied }, 'migrations applied');
  const rt = createRuntime(config, { log });
  if (config.SEED_DEMO) await seedDemo(rt);

  if (config.ROLE === 'api' || config.ROLE === 'all') {
    if (config.WEB_CONCURRENCY > 1) {
      serveClusterMetrics(rt.metrics);
      stops.push(forkApiProcesses(config.WEB_CONCURRENCY, log));
    } else stops.push((await startApi(rt)).close);
  }
  const relay = startOutboxRelay({
    db: rt.db,
    queues: rt.queues,
    log: rt.log,
    pollMs: config.OUTBOX_POLL_MS,
    fairness: { redis: rt.redis, prefix: config.QUEUE_PREFIX },
    jobOptions: configuredJobOptions(config),
  });
  stops.push(relay.stop);
  // A process without the API (ROLE=worker) serves its own /metrics, on a port of its own.
  if (config.METRICS_PORT && config.ROLE === 'worker')
    stops.push((await startMetricsServer(rt, config.METRICS_PORT)).close);
  if (config.ROLE === 'worker' || config.ROLE === 'all') {
    const workers = startWorkers(rt);
    stops.push(workers.close);
    // A Redis outage at start-up must not stop the workers; the next start registers the schedule.
    await registerSchedules(rt.queues, config).catch((err) =>
      log.warn({ err: (err as Error).message }, 'job schedules not registered'),
    );
    const sweep = () =>
      Promise.all([
        sweepOrphanFiles(rt.db, rt.files, { now: rt.clock.now(), olderThanMs: ORPHAN_GRACE_MS }).then(
          (n) => n && log.info({ removed: n }, 'orphaned files removed'),
          (err) => log.warn({ err }, 'file sweep failed'),
        ),
        sweepExpiredUploads(rt.db, rt.files, {
          now: rt.clock.now(),
          expiryMs: config.UPLOAD_EXPIRY_HOURS * 3600_000,
        }).then(
          (n) => n && log.info({ removed: n }, 'expired uploads removed'),
          (err) => log.warn({ err }, 'upload sweep failed'),
        ),
        pruneOutbox(rt.db, new Date(rt.clock.now().getTime() - 7 * 86_400_000)).then(
          (n) => n && log.info({ removed: n }, 'published outbox rows pruned'),
          (err) => log.warn({ err }, 'outbox prune failed'),
        ),
      ]);
    const timer = setInterval(sweep, 6 * 3600_000);
    timer.unref();
    stops.push(async () => clearInterval(timer));
    setTimeout(sweep, 60_000).unref();
  }

  onShutdown(log, stops, rt.close);
}

/** SIGTERM/SIGINT: stop taking work, let current work finish (jobs, requests), then close connections. */
function onShutdown(
  log: ReturnType<typeof createLogger>,
  stops: Array<() => Promise<void>>,
  close: () => Promise<void>,
): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing current work');
    const force = setTimeout(() => {
      log.error('shutdown timed out');
      process.exit(1);
    }, 30_000);
    for (const stop of stops) await stop().catch((err) => log.error({ err }, 'shutdown step failed'));
    await close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('fatal:', err instanceof Error ? err.message : err);
  process.exit(1);
});
