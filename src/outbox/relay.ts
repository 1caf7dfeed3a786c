// Transactional outbox relay: moves committed outbox rows into BullMQ. Rows are claimed with
// FOR UPDATE SKIP LOCKED so several relays share the work; the BullMQ job id is made from the outbox row (id and
// creation time), so a row published twice (crash between add and commit) is still one job. Rows of an event topic
// (src/queue/names.ts EVENTS) also become a dispatch job on the webhooks queue while some endpoint subscribes to it.
import type { Queue } from 'bullmq';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { fairPriorities, type Fairness } from '../queue/fairness.ts';
import {
  DEFAULT_JOB_OPTIONS,
  isEventName,
  JOBS,
  OUTBOX_ROUTES,
  QUEUES,
  REPORT_RECEIVED,
  type DispatchEventJob,
} from '../queue/names.ts';
import { subscribedEvents } from '../webhooks/repository.ts';
import { claimUnpublished, deletePublishedBefore, markPublished, recordFailure, type OutboxRow } from './repository.ts';

export interface OutboxRelayDeps {
  db: Db;
  queues: Map<string, Queue>;
  log: Logger;
  batchSize?: number;
  /** Report jobs of observers filing far more than others wait behind theirs (fairness.ts). */
  fairness?: Fairness;
  /** Options of a job by its name, where the configuration sets them (queue/names.ts configuredJobOptions). */
  jobOptions?: Partial<Record<string, object>>;
}

/**
 * The BullMQ job id of an outbox row. The id alone would repeat after a database restore or reset (the sequence
 * starts again) while Redis still holds the completed jobs of a day: BullMQ would take the new row for the old job
 * and drop it.
 */
export function outboxJobId(row: { id: bigint; createdAt: Date }): string {
  return `outbox-${row.id}-${row.createdAt.getTime()}`;
}

/**
 * The id of the fact an event row reports, the same however often it is written: a report is received once, though
 * its processing job is queued again for a correction or evidence a retry brought.
 */
export function eventIdOf(row: OutboxRow): string {
  if (row.topic === REPORT_RECEIVED) return `${row.topic}:${String(row.payload.reportId)}`;
  return `${row.topic}:${row.id}-${row.createdAt.getTime()}`;
}

/**
 * Publishes one batch; returns how many rows were published. Throws when Redis refuses. Every try counts in the
 * rows' `attempts`, a failed one with its reason in `lastError`: a row waiting through an outage says why, and a
 * row's publishes to Redis can be counted against its tries (a failed try may have reached Redis; one that did not
 * fail was the only one).
 */
export async function relayOutboxBatch(deps: OutboxRelayDeps): Promise<number> {
  const batchSize = deps.batchSize ?? 500;
  let claimed: bigint[] = [];
  try {
    return await publishBatch(deps, batchSize, (ids) => {
      claimed = ids;
    });
  } catch (err) {
    // The claim rolled back, so these rows are tried again on the next round. Best effort: the database may be
    // what failed.
    const reason = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    if (claimed.length) {
      await recordFailure(deps.db, claimed, reason).catch(() => undefined);
    }
    throw err;
  }
}

async function publishBatch(deps: OutboxRelayDeps, batchSize: number, claim: (ids: bigint[]) => void): Promise<number> {
  return deps.db.$transaction(
    async (tx) => {
      const rows = await claimUnpublished(tx, batchSize);
      if (rows.length === 0) return 0;
      claim(rows.map((r) => r.id));
      const priorities = deps.fairness
        ? await fairPriorities(
            deps.fairness,
            rows.map((r) => r.observerId),
          )
        : [];
      // One look at the webhook subscriptions per batch that holds events (a small table).
      const subscribed = rows.some((r) => isEventName(r.topic)) ? await subscribedEvents(tx) : new Set<string>();
      const byQueue = new Map<string, Array<{ name: string; data: object; opts: object }>>();
      const add = (queue: string, job: { name: string; data: object; opts: object }) =>
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), job]);
      for (const [i, row] of rows.entries()) {
        const route = OUTBOX_ROUTES[row.topic];
        if (!route && !isEventName(row.topic)) throw new Error(`outbox topic without a route: ${row.topic}`);
        if (route) {
          const priority = priorities[i];
          const opts = deps.jobOptions?.[route.job] ?? DEFAULT_JOB_OPTIONS;
          add(route.queue, {
            name: route.job,
            data: row.payload,
            opts: { ...opts, jobId: outboxJobId(row), ...(priority ? { priority } : {}) },
          });
        }
        if (isEventName(row.topic) && subscribed.has(row.topic)) {
          const data: DispatchEventJob = {
            event: row.topic,
            eventId: eventIdOf(row),
            occurredAt: row.createdAt.toISOString(),
            payload: row.payload,
          };
          add(QUEUES.webhooks, {
            name: JOBS.dispatchEvent,
            data,
            opts: { ...DEFAULT_JOB_OPTIONS, jobId: `${outboxJobId(row)}-dispatch` },
          });
        }
      }
      for (const [name, jobs] of byQueue) {
        const queue = deps.queues.get(name);
        if (!queue) throw new Error(`no queue ${name}`);
        await queue.addBulk(jobs);
      }
      await markPublished(
        tx,
        rows.map((r) => r.id),
      );
      return rows.length;
    },
    { timeout: 30_000 },
  );
}

/**
 * Published rows are history once BullMQ has dropped the completed job (a day, DEFAULT_JOB_OPTIONS): kept a
 * week for inspection, then deleted, so the table does not grow by a row per report for the whole mission.
 * Unpublished rows are never touched, however old.
 */
export async function pruneOutbox(db: Db, publishedBefore: Date): Promise<number> {
  return deletePublishedBefore(db, publishedBefore);
}

export interface OutboxRelay {
  stop(): Promise<void>;
  kick(): void;
}

export function startOutboxRelay(deps: OutboxRelayDeps & { pollMs: number }): OutboxRelay {
  let stopped = false;
  let wake: (() => void) | null = null;
  let failures = 0;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const loop = (async () => {
    while (!stopped) {
      try {
        const n = await relayOutboxBatch(deps);
        if (failures) deps.log.info({ after: failures }, 'outbox relay recovered');
        failures = 0;
        if (n === (deps.batchSize ?? 500)) continue;
        await sleep(deps.pollMs);
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 50 === 0)
          deps.log.warn({ err: (err as Error).message, failures }, 'outbox relay cannot publish; will retry');
        await sleep(Math.min(deps.pollMs * 2 ** Math.min(failures, 5), 5_000));
      }
    }
  })();
  return {
    kick() {
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
