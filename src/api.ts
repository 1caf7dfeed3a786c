// The API role: HTTP server plus the outbox relay that feeds BullMQ from committed reports.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './http/app.ts';
import { sessionMiddleware } from './http/session.ts';
import type { AppDeps } from './http/deps.ts';
import { authDeps, type Runtime } from './runtime.ts';
import { createIncidentEventHub } from './live/hub.ts';
import { metricsExposition } from './metrics/cluster.ts';
import { idleCutOnlyWhileTheClientIsDue } from './http/idle-cut.ts';

export interface RunningApi {
  url: string;
  port: number;
  deps: AppDeps;
  close(): Promise<void>;
}

export async function startApi(rt: Runtime, port = rt.config.PORT, host = rt.config.HOST): Promise<RunningApi> {
  const session = sessionMiddleware(rt.config, rt.db, rt.clock);
  const liveEvents = createIncidentEventHub({
    db: rt.db,
    log: rt.log,
    redisUrl: rt.config.REDIS_URL,
    prefix: rt.config.QUEUE_PREFIX,
  });
  const deps: AppDeps = {
    ...rt,
    ...authDeps(rt),
    csrf: session.csrf,
    passport: session.passport,
    liveEvents,
    metricsText: metricsExposition(rt.metrics),
  };
  const app = createApp(deps, session);
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  // Field links are slow but steady: no limit on a whole request, only on a silence within it (config.ts).
  server.requestTimeout = 0;
  server.timeout = rt.config.UPLOAD_IDLE_TIMEOUT_MS;
  // ...the client's silence, that is: not the server's own while it works on the answer (idle-cut.ts).
  idleCutOnlyWhileTheClientIsDue(server);
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address() as AddressInfo;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  rt.log.info({ url }, 'api listening');
  return {
    url,
    port: addr.port,
    deps,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await liveEvents.close();
      await session.pool.end();
    },
  };
}
