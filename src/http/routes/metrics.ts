// Prometheus's scrape (GET /metrics) and the HTTP latency every request adds to it. The scrape needs METRICS_TOKEN
// as a bearer token (Prometheus: `authorization: { credentials: ... }`); without METRICS_TOKEN there is no endpoint
// (404), and a missing or wrong token is a 401. Mounted before the API's own bearer tokens, which it is not.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { Metrics } from '../../metrics/index.ts';
import { NotFound, Unauthenticated } from '../../errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsRouter(deps: {
  config: { METRICS_TOKEN?: string };
  /** The exposition text: this process's registry, or a cluster's (src/metrics/cluster.ts). */
  metricsText: () => Promise<{ contentType: string; text: string }>;
}): Router {
  const r = Router();
  r.get('/metrics', async (req, res) => {
    const token = deps.config.METRICS_TOKEN;
    if (!token) throw new NotFound('metrics (METRICS_TOKEN is not set)');
    const auth = req.get('authorization') ?? '';
    const given = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    if (!given || !timingSafeEqual(digest(given), digest(token))) {
      res.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new Unauthenticated('metrics need the METRICS_TOKEN as a bearer token');
    }
    const { contentType, text } = await deps.metricsText();
    res.type(contentType).send(text);
  });
  return r;
}

/**
 * Times every request, labelled with the route pattern it matched (`/api/reports/:id`), never the path itself
 * (ids would make a series per report); static files are "static", what matched nothing "unmatched".
 */
export function httpMetrics(metrics: Pick<Metrics, 'httpRequest'>): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = req.route?.path
        ? `${req.baseUrl}${req.route.path as string}`.replace(/(.)\/$/, '$1')
        : req.method === 'GET' && !req.originalUrl.startsWith('/api/') && res.statusCode < 400
          ? 'static'
          : 'unmatched';
      metrics.httpRequest(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
