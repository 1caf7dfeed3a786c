// Evidence downloads: authorised per report, served with the sniffed type and as a download.
import { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { requireUser } from '../auth-middleware.ts';
import { getReadableAttachment, thumbnailOf } from '../../attachments/service.ts';
import { Invalid } from '../../errors.ts';
import { parseUuidParam } from './reports.ts';

registry.registerPath({ method: 'get', path: '/api/attachments/{id}', tags: ['reports'], summary: 'Download an attachment', security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses(401, 404) } });
registry.registerPath({ method: 'get', path: '/api/attachments/{id}/thumbnail', tags: ['reports'], summary: 'JPEG thumbnail of an image attachment', security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 200: { description: 'JPEG', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses(401, 404, 415) } });

export function attachmentsRouter(deps: AppDeps): Router {
  const r = Router();
  r.get('/:id', async (req, res) => {
    const a = await getReadableAttachment(deps.db, requireUser(req), parseUuidParam(req.params.id));
    res.setHeader('Content-Type', a.mime);
    res.setHeader('Content-Length', String(a.sizeBytes));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('ETag', `"${a.sha256}"`);
    res.attachment(a.originalName);
    const stream = deps.files.read(a.sha256);
    stream.on('error', (err) => { deps.log.error({ err, attachment: a.id }, 'attachment file unreadable'); res.destroy(); });
    stream.pipe(res);
  });
  r.get('/:id/thumbnail', async (req, res) => {
    const a = await getReadableAttachment(deps.db, requireUser(req), parseUuidParam(req.params.id));
    if (!a.mime.startsWith('image/')) throw new Invalid([{ field: 'id', reason: 'not an image' }], 415);
    const thumb = await thumbnailOf(deps.files, a.sha256);
    res.setHeader('Cache-Control', 'private, max-age=86400');
    res.type('image/jpeg').send(thumb);
  });
  return r;
}
