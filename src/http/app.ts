// Assembles the express app from its parts; nothing here knows about the domain beyond routing to it. Every router is
// mounted here, and only here: one file per domain in routes/, named after it.
import express, { type Express } from 'express';
import compression from 'compression';
import helmet from 'helmet';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pinoHttp } from 'pino-http';
import type { AppDeps } from './deps.ts';
import { bearerAuth } from './auth-middleware.ts';
import { jsonErrors, notFoundHandler } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { attachmentsRouter } from './routes/attachments.ts';
import { auditRouter } from './routes/audit.ts';
import { authRouter } from './routes/auth.ts';
import { digestsRouter } from './routes/digests.ts';
import { exportsRouter } from './routes/exports.ts';
import { healthRouter } from './routes/health.ts';
import { httpMetrics, metricsRouter } from './routes/metrics.ts';
import { incidentsRouter } from './routes/incidents.ts';
import { jobsRouter } from './routes/jobs.ts';
import { openRosaRouter } from './routes/openrosa.ts';
import { placesRouter } from './routes/places.ts';
import { QUEUE_DASHBOARD_PATH, queueDashboardRouter } from './routes/queues.ts';
import { reportsRouter } from './routes/reports.ts';
import { savedFiltersRouter } from './routes/saved-filters.ts';
import { notificationsRouter } from './routes/notifications.ts';
import { secondFactorRouter } from './routes/second-factor.ts';
import { sessionsRouter } from './routes/sessions.ts';
import { smsRouter } from './routes/sms.ts';
import { tokensRouter } from './routes/tokens.ts';
import { uploadsRouter } from './routes/uploads.ts';
import { usersRouter } from './routes/users.ts';
import { webhooksRouter } from './routes/webhooks.ts';
import type { RequestHandler, Router } from 'express';

export const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');
const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Every /api router, where it is mounted (after authentication and CSRF), in the order express tries them. */
const API_ROUTES: Array<[string, (deps: AppDeps) => Router]> = [
  ['/api/auth/sessions', sessionsRouter],
  ['/api/auth/second-factor', secondFactorRouter],
  ['/api/auth', authRouter],
  ['/api/auth', tokensRouter],
  ['/api/reports', reportsRouter],
  ['/api/attachments', attachmentsRouter],
  ['/api/uploads', uploadsRouter],
  ['/api/users', usersRouter],
  ['/api/incidents', incidentsRouter],
  ['/api/exports', exportsRouter],
  ['/api/digests', digestsRouter],
  ['/api/jobs', jobsRouter],
  ['/api/audit', auditRouter],
  ['/api/places', placesRouter],
  ['/api/webhooks', webhooksRouter],
  ['/api/sms', smsRouter],
  ['/api/saved-filters', savedFiltersRouter],
  ['/api/notifications', notificationsRouter],
];

export function createApp(
  deps: AppDeps,
  session: { handlers: RequestHandler[]; csrfProtection: RequestHandler },
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.TRUST_PROXY);
  app.set('query parser', 'simple');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'style-src': ["'self'", "'unsafe-inline'"],
          'script-src': ["'self'"],
          'connect-src': ["'self'"],
          'worker-src': ["'self'"],
          'upgrade-insecure-requests': deps.config.cookieSecure ? [] : null,
        },
      },
      hsts: deps.config.cookieSecure,
    }),
  );
  app.use(
    pinoHttp({
      logger: deps.log,
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
      // One short line per request: method, path, status, time. Headers carry cookies and tokens.
      serializers: {
        // ODK clients may carry a personal token in the path (/key/<token>/...): never log it.
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url.split('?')[0]!.replace(/^\/key\/[^/]+/, '/key/[redacted]'),
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  app.use(httpMetrics(deps.metrics));
  app.use(healthRouter(deps));
  // Before the API's bearer tokens: Prometheus's token is not one of them.
  app.use(metricsRouter(deps));
  // OpenRosa (ODK Collect) at the root and under /key/<token>, before the session machinery: it has its own auth.
  app.use(openRosaRouter(deps));

  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/api/docs/assets', express.static(swaggerDir, { index: false, maxAge: '1d' }));
  app.get('/api/docs', (_req, res) => {
    res.sendFile(path.join(PUBLIC_DIR, 'docs', 'index.html'));
  });

  // Pages, scripts and map data are public and need no session: served before the session store is consulted.
  // Field links are thin, so they travel compressed (the API's small JSON answers do not need it).
  const assets = express
    .Router()
    .use(compression({ threshold: 1024 }), express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0, etag: true }));
  app.use((req, res, next) => (req.path.startsWith('/api/') ? next() : assets(req, res, next)));
  app.use(bearerAuth(deps.tokens));
  app.use(session.handlers);
  app.use(session.csrfProtection);
  app.use(QUEUE_DASHBOARD_PATH, queueDashboardRouter(deps));
  for (const [mount, router] of API_ROUTES) app.use(mount, router(deps));
  app.use('/api', notFoundHandler);

  app.use(notFoundHandler);
  app.use(jsonErrors(deps.log));
  return app;
}
