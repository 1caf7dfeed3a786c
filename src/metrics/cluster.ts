// With WEB_CONCURRENCY > 1 a scrape reaches one of several API processes, and the workers' counters live in the
// primary. So an API process answers /metrics with the whole cluster's: it asks the primary, which gathers every API
// process's registry and its own (node:cluster IPC) and aggregates them (prom-client: counters and histograms
// summed, the shared-state gauges by max).
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { isApiChild } from '../api-cluster.ts';
import type { Metrics } from './index.ts';

const ASK_PRIMARY = 'ceasefire:metrics:cluster';
const ASK_CHILD = 'ceasefire:metrics:local';
const ANSWER = 'ceasefire:metrics:answer';
const TIMEOUT_MS = 5_000;

type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];

interface Message {
  type: string;
  id: string;
  metrics?: MetricJson[];
  text?: string;
  error?: string;
}

export interface Exposition {
  contentType: string;
  text: string;
}

const pending = new Map<string, (m: Message) => void>();

function waitAnswer(id: string): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('no metrics from the other processes in time'));
    }, TIMEOUT_MS);
    pending.set(id, (m) => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(m);
    });
  });
}

/** What /metrics answers in this process: the cluster's metrics in a forked API process, else its own. */
export function metricsExposition(metrics: Metrics): () => Promise<Exposition> {
  const contentType = metrics.registry.contentType;
  if (!isApiChild()) return async () => ({ contentType, text: await metrics.registry.metrics() });
  process.on('message', (m: Message) => {
    if (m?.type === ASK_CHILD) {
      metrics.registry
        .getMetricsAsJSON()
        .then((json) => process.send?.({ type: ANSWER, id: m.id, metrics: json }))
        .catch((err: Error) => process.send?.({ type: ANSWER, id: m.id, error: err.message }));
    } else if (m?.type === ANSWER) pending.get(m.id)?.(m);
  });
  return async () => {
    const id = randomUUID();
    const answer = waitAnswer(id);
    process.send?.({ type: ASK_PRIMARY, id });
    const m = await answer;
    if (m.error !== undefined || m.text === undefined) throw new Error(m.error ?? 'no metrics');
    return { contentType, text: m.text };
  };
}

/** In the primary: answers an API process's request with every process's metrics, aggregated. */
export function serveClusterMetrics(metrics: Metrics): void {
  cluster.on('message', (from, m: Message) => {
    if (m?.type === ANSWER) return pending.get(m.id)?.(m);
    if (m?.type !== ASK_PRIMARY) return;
    void gather(metrics).then(
      (text) => from.send({ type: ANSWER, id: m.id, text }),
      (err: Error) => from.send({ type: ANSWER, id: m.id, error: err.message }),
    );
  });
}

async function gather(metrics: Metrics): Promise<string> {
  const children = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
  const answers = await Promise.all(
    children.map((w) => {
      const id = randomUUID();
      const answer = waitAnswer(id);
      w!.send({ type: ASK_CHILD, id });
      return answer;
    }),
  );
  const all = [await metrics.registry.getMetricsAsJSON(), ...answers.map((a) => a.metrics ?? [])];
  return AggregatorRegistry.aggregate(all).metrics();
}
