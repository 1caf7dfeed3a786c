// HTTP adapter for the attachments domain (src/attachments): evidence downloads, authorised per report, served with
// the sniffed type and as a download.
import { Router, type Response } from 'express';
import contentDisposition from 'content-disposition';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { requireUser, signedIn } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { getReadableAttachment, thumbnailOf } from '../../attachments/service.ts';
import { Invalid } from '../../errors.ts';

registry.registerPath({
  method: 'get',
  path: '/api/attachments/{id}',
  tags: ['reports'],
  summary: 'Download an attachment',
  security,
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The file',
      content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } },
    },
    ...errorResponses(401, 404),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/attachments/{id}/thumbnail',
  tags: ['reports'],
  summary: 'JPEG thumbnail of an image attachment',
  security,
  request: { params: IdParams },
  responses: {
    200: { description: 'JPEG', content: { 'image/jpeg': { schema: z.string().meta({ format: 'binary' }) } } },
    ...errorResponses(401, 404, 415),
  },
});

/**
 * Evidence is whatever an observer uploaded: it is served only as the type sniffed at intake, always as a download,
 * never sniffed again by the browser, and sandboxed with no origin and nothing allowed to load or run should a
 * browser render it anyway. The file name the observer gave is display text in the disposition, never a type.
 */
export function evidenceHeaders(res: Response, file: { mime: string; downloadName: string }): void {
  res.setHeader('Content-Type', file.mime);
  res.setHeader('Content-Disposition', contentDisposition(file.downloadName, { type: 'attachment' }));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

const One = validate({ params: IdParams });

export function attachmentsRouter(deps: AppDeps): Router {
  const r = Router();
  r.get('/:id', signedIn, One, async (req, res) => {
    const a = await getReadableAttachment(deps.db, requireUser(req), One.input(req).params.id);
    evidenceHeaders(res, { mime: a.mime, downloadName: a.originalName });
    res.setHeader('Content-Length', String(a.sizeBytes));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('ETag', `"${a.sha256}"`);
    const stream = deps.files.read(a.sha256);
    stream.on('error', (err) => {
      deps.log.error({ err, attachment: a.id }, 'attachment file unreadable');
      res.destroy();
    });
    stream.pipe(res);
  });
  r.get('/:id/thumbnail', signedIn, One, async (req, res) => {
    const a = await getReadableAttachment(deps.db, requireUser(req), One.input(req).params.id);
    if (!a.mime.startsWith('image/')) throw new Invalid([{ field: 'id', reason: 'not an image' }], 415);
    const thumb = await thumbnailOf(deps.files, a.sha256);
    evidenceHeaders(res, { mime: 'image/jpeg', downloadName: 'thumbnail.jpg' });
    res.setHeader('Cache-Control', 'private, max-age=86400');
    res.send(thumb);
  });
  return r;
}
