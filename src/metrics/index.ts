// Prometheus metrics (prom-client), one registry per runtime. Two kinds:
//  - events this process saw, counted as they happen (HTTP requests, reports accepted and processed, classifications,
//    dedup decisions, job outcomes, webhook tries, inbound SMS); the domain is handed small callbacks, never prom-client;
//  - the state every process shares (queue depths, the unprocessed backlog and its age, failed reports, the outbox,
//    dead webhook deliveries, held SMS), read from PostgreSQL and Redis when scraped (sources.ts). Those gauges
//    aggregate by `max` across the API processes of a cluster (cluster.ts), the counters by sum.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProcessedFact } from '../pipeline/process.ts';

export interface SharedState {
  queueJobs(): Promise<Array<{ queue: string; state: string; count: number }>>;
  backlog(): Promise<{ unprocessed: number; oldestReceivedAt: Date | null; failed: number }>;
  outbox(): Promise<{ unpublished: number; oldestCreatedAt: Date | null }>;
  webhookDeliveries(): Promise<Array<{ status: string; count: number }>>;
  heldSms(): Promise<number>;
  now(): Date;
}

export interface Metrics {
  registry: Registry;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  reportAccepted(source: string): void;
  reportsProcessed(facts: readonly ProcessedFact[]): void;
  /** A job settled: its outcome, and the time since it was queued (for a report: the processing lag). */
  jobDone(queue: string, outcome: string, waitedSeconds: number): void;
  /** A try of a job failed; `final` when no retry follows (a dead letter). */
  jobFailed(queue: string, final: boolean): void;
  webhookTry(outcome: 'delivered' | 'failed'): void;
  smsReceived(status: string): void;
  /** Reads the shared state on every scrape. */
  watch(state: SharedState): void;
}

const PREFIX = 'ceasefire_';

export function createMetrics(opts: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: PREFIX + name, help, labelNames, registers: [registry] });

  const http = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by method, route (the matched pattern) and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const wait = new Histogram({
    name: `${PREFIX}job_wait_seconds`,
    help: 'Time from a job being queued to being done, by queue (reports: the processing lag of a report)',
    labelNames: ['queue'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const received = counter('reports_received_total', 'Reports accepted at intake, by channel', ['source']);
  const processed = counter('jobs_done_total', 'Jobs settled, by queue and outcome', ['queue', 'outcome']);
  const failed = counter('jobs_failed_total', 'Failed tries of jobs, by queue; final="true": a dead letter', [
    'queue',
    'final',
  ]);
  const stances = counter('reports_classified_total', 'Reports classified, by effective stance', ['stance']);
  const terms = counter('report_terms_total', 'Agreement terms found in processed reports', ['term']);
  const dedup = counter('dedup_decisions_total', 'Processed reports that opened or joined an incident', ['decision']);
  const ties = counter('dedup_ties_total', 'Processed reports that tied incidents together (merged by dedup)');
  const webhook = counter('webhook_tries_total', 'Webhook delivery tries, by outcome', ['outcome']);
  const sms = counter('sms_received_total', 'Inbound SMS, by what became of them', ['status']);

  // Registry.metrics() collects every metric at once: the gauges fed by one read share it (one read per scrape), and
  // a source that fails leaves its gauges as they were and counts the failure. Nothing is read until watch().
  let state: SharedState | null = null;
  const scrapeErrors = counter('scrape_errors_total', 'Shared state that could not be read for a scrape', ['source']);
  const shared = <T>(source: string, read: (s: SharedState) => Promise<T>) => {
    let pending: Promise<T | null> | null = null;
    return () => {
      if (!state) return Promise.resolve(null);
      pending ??= read(state)
        .catch(() => {
          scrapeErrors.inc({ source });
          return null;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    };
  };
  const age = (d: Date | null) => (d && state ? Math.max(0, (state.now().getTime() - d.getTime()) / 1000) : 0);
  const backlog = shared('reports', (s) => s.backlog());
  const outboxRead = shared('outbox', (s) => s.outbox());
  const gauge = <T>(
    name: string,
    help: string,
    read: () => Promise<T | null>,
    value: (v: T, g: Gauge) => void,
    labelNames: string[] = [],
  ) =>
    new Gauge({
      name: PREFIX + name,
      help,
      labelNames,
      registers: [registry],
      aggregator: 'max',
      async collect() {
        const v = await read();
        if (v !== null) value(v, this);
      },
    });
  gauge(
    'queue_jobs',
    'Jobs in each queue, by state',
    shared('redis', (s) => s.queueJobs()),
    (counts, g) => {
      g.reset();
      for (const q of counts) g.set({ queue: q.queue, state: q.state }, q.count);
    },
    ['queue', 'state'],
  );
  gauge('reports_unprocessed', 'Reports received and not processed yet', backlog, (b, g) => g.set(b.unprocessed));
  gauge(
    'oldest_unprocessed_report_age_seconds',
    'Age of the oldest report not processed yet (0: none)',
    backlog,
    (b, g) => g.set(age(b.oldestReceivedAt)),
  );
  gauge('reports_failed', 'Reports whose processing failed after its last retry', backlog, (b, g) => g.set(b.failed));
  gauge('outbox_unpublished', 'Outbox rows not yet handed to the queues', outboxRead, (o, g) => g.set(o.unpublished));
  gauge(
    'outbox_oldest_unpublished_age_seconds',
    'Age of the oldest unpublished outbox row (0: none)',
    outboxRead,
    (o, g) => g.set(age(o.oldestCreatedAt)),
  );
  gauge(
    'webhook_deliveries',
    'Webhook deliveries being tried (pending) or dead',
    shared('webhooks', (s) => s.webhookDeliveries()),
    (rows, g) => {
      for (const status of ['pending', 'dead']) g.set({ status }, rows.find((r) => r.status === status)?.count ?? 0);
    },
    ['status'],
  );
  gauge(
    'sms_held',
    'Inbound SMS waiting for an admin',
    shared('sms', (s) => s.heldSms()),
    (n, g) => g.set(n),
  );

  return {
    registry,
    httpRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    reportAccepted: (source) => received.inc({ source }),
    reportsProcessed(facts) {
      for (const f of facts) {
        stances.inc({ stance: f.stance ?? 'none' });
        for (const term of f.terms) terms.inc({ term });
        dedup.inc({ decision: f.incident });
        if (f.tied) ties.inc();
      }
    },
    jobDone(queue, outcome, waitedSeconds) {
      processed.inc({ queue, outcome });
      wait.observe({ queue }, Math.max(0, waitedSeconds));
    },
    jobFailed: (queue, final) => failed.inc({ queue, final: String(final) }),
    webhookTry: (outcome) => webhook.inc({ outcome }),
    smsReceived: (status) => sms.inc({ status }),
    watch(shared) {
      state = shared;
    },
  };
}
