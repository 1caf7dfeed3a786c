// WEB_CONCURRENCY > 1: the API runs in that many forked processes sharing the port (node:cluster), so intake
// uses every core. The primary keeps the outbox relay, the workers and the schedules, and replaces an API
// process that dies.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.ts';

export function forkApiProcesses(count: number, log: Logger): () => Promise<void> {
  let stopping = false;
  const fork = () => cluster.fork({ API_CHILD: '1' });
  for (let i = 0; i < count; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.warn({ pid: worker.process.pid, code, signal }, 'api process exited; starting another');
    fork();
  });
  return async () => {
    stopping = true;
    const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(
      all.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };
}

export const isApiChild = () => cluster.isWorker && process.env.API_CHILD === '1';
