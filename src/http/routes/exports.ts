// HTTP adapter for the exports domain (src/exports): /api/exports/{incidents|reports}.{csv|geojson} with the queue's
// filters.
import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { validate } from '../validate.ts';
import { canExport } from '../../auth/policies.ts';
import { CONTENT_TYPES, EXPORT_FORMATS, EXPORT_KINDS, startExport } from '../../exports/index.ts';
import { QueueFilters } from '../../incidents/index.ts';

const ExportQuery = QueueFilters.strict();

for (const kind of EXPORT_KINDS) {
  for (const format of EXPORT_FORMATS) {
    registry.registerPath({
      method: 'get',
      path: `/api/exports/${kind}.${format}`,
      tags: ['exports'],
      security,
      summary: `${kind} as ${format === 'csv' ? 'CSV' : 'GeoJSON'}, with the queue's filters (commission/admin; streamed, audited)`,
      request: { query: ExportQuery },
      responses: {
        200: { description: 'The file', content: { [CONTENT_TYPES[format].split(';')[0]!]: { schema: z.string() } } },
        ...errorResponses(400, 401, 403),
      },
    });
  }
}

/** The file asked for: <kind>.<format>; any other name is no export (404). */
const ExportFile = z
  .object({ file: z.string().regex(/^(incidents|reports)\.(csv|geojson)$/) })
  .transform(({ file }) => {
    const [kind, format] = file.split('.') as [(typeof EXPORT_KINDS)[number], (typeof EXPORT_FORMATS)[number]];
    return { kind, format };
  });
const Download = validate({ params: ExportFile, query: ExportQuery }, { resource: 'export' });

export function exportsRouter(deps: AppDeps): Router {
  const r = Router();
  r.use(allow(canExport));
  r.get('/:file', Download, async (req, res) => {
    const {
      params: { kind, format },
      query: filters,
    } = Download.input(req);
    const { stream, filename } = await startExport(
      { db: deps.db, clock: deps.clock, tz: deps.config.DIGEST_TZ, pseudonym: deps.custodySigner.pseudonym },
      requireUser(req),
      { kind, format, filters },
    );
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    // A failure after the headers went out can only cut the response short; the error handler closes the socket.
    await pipeline(stream, res);
  });
  return r;
}
