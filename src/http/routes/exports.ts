// HTTP adapter for the exports: /api/exports/{incidents|reports}.{csv|geojson} with the queue's filters.
import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { canExport } from '../../auth/policies.ts';
import { NotFound } from '../../errors.ts';
import { CONTENT_TYPES, EXPORT_FORMATS, EXPORT_KINDS, startExport } from '../../exports/index.ts';
import { parseQuery, QueueFilters } from '../../incidents/index.ts';

const ExportQuery = QueueFilters.strict();

for (const kind of EXPORT_KINDS) {
  for (const format of EXPORT_FORMATS) {
    registry.registerPath({ method: 'get', path: `/api/exports/${kind}.${format}`, tags: ['exports'], security,
      summary: `${kind} as ${format === 'csv' ? 'CSV' : 'GeoJSON'}, with the queue's filters (commission/admin; streamed, audited)`,
      request: { query: ExportQuery },
      responses: { 200: { description: 'The file', content: { [CONTENT_TYPES[format].split(';')[0]!]: { schema: z.string() } } }, ...errorResponses(400, 401, 403) } });
  }
}

export function exportsRouter(deps: AppDeps): Router {
  const r = Router();
  r.use(allow(canExport));
  r.get('/:file', async (req, res) => {
    const m = /^(incidents|reports)\.(csv|geojson)$/.exec(String(req.params.file));
    if (!m) throw new NotFound('export');
    const filters = parseQuery(ExportQuery, req.query);
    const { stream, filename } = await startExport({ db: deps.db, clock: deps.clock, tz: deps.config.DIGEST_TZ }, requireUser(req),
      { kind: m[1] as 'incidents' | 'reports', format: m[2] as 'csv' | 'geojson', filters });
    res.setHeader('Content-Type', CONTENT_TYPES[m[2] as 'csv' | 'geojson']);
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    // A failure after the headers went out can only cut the response short; the error handler closes the socket.
    await pipeline(stream, res);
  });
  return r;
}
