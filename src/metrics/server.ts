// /metrics on a port of its own, for a process that serves no API (ROLE=worker): Prometheus scrapes each process.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../runtime.ts';
import { metricsRouter } from '../http/routes/metrics.ts';
import { jsonErrors } from '../http/errors.ts';
import { metricsExposition } from './cluster.ts';

export async function startMetricsServer(rt: Runtime, port: number, host = rt.config.HOST) {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRouter({ config: rt.config, metricsText: metricsExposition(rt.metrics) }));
  app.use(jsonErrors(rt.log));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  rt.log.info({ port: (server.address() as AddressInfo).port }, 'metrics listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
