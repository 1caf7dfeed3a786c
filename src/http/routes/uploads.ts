// HTTP adapter for resumable photo uploads (src/uploads): create with a length, send chunks with PATCH at the offset
// the server holds (Upload-Offset, as in the tus protocol), ask that offset with HEAD or GET after a dropped link.
// Only the observer who created an upload sees it; for anyone else it does not exist (404).
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canFileReport } from '../../auth/policies.ts';
import { Invalid } from '../../errors.ts';
import { UploadInput, UploadView } from '../../uploads/schema.ts';
import {
  appendChunk,
  createUpload,
  getUpload,
  removeUpload,
  uploadView,
  type UploadDeps,
} from '../../uploads/service.ts';
import type { UploadRow } from '../../uploads/repository.ts';

const CHUNK_TYPE = 'application/offset+octet-stream';
const OffsetHeaders = z.object({
  'Upload-Offset': z.string().meta({ description: 'Bytes the server holds' }),
  'Upload-Length': z.string().meta({ description: 'The whole file, in bytes' }),
});

registry.registerPath({
  method: 'post',
  path: '/api/uploads',
  tags: ['uploads'],
  summary:
    'Start a resumable photo upload (observers): its bytes are then sent in chunks with PATCH; a report cites it by id in uploadIds',
  security,
  request: { body: { content: { 'application/json': { schema: UploadInput } } } },
  responses: {
    201: { description: 'Created, nothing held yet', content: { 'application/json': { schema: UploadView } } },
    ...errorResponses(401, 403, 409, 413, 422),
  },
});
registry.registerPath({
  method: 'patch',
  path: '/api/uploads/{id}',
  tags: ['uploads'],
  summary:
    'Send the next chunk at Upload-Offset, which must equal the offset the server holds (409 with offsetBytes otherwise). ' +
    'A cut transfer keeps the bytes that arrived: ask HEAD for the offset and go on from there.',
  security,
  request: {
    params: IdParams,
    headers: z.object({ 'Upload-Offset': z.string().meta({ description: 'Where this chunk starts' }) }),
    body: { content: { [CHUNK_TYPE]: { schema: z.string().meta({ format: 'binary' }) } } },
  },
  responses: {
    200: {
      description: 'Held; Upload-Offset gives the new offset',
      headers: OffsetHeaders,
      content: { 'application/json': { schema: UploadView } },
    },
    ...errorResponses(400, 401, 404, 409, 413, 415),
  },
});
registry.registerPath({
  method: 'head',
  path: '/api/uploads/{id}',
  tags: ['uploads'],
  summary: 'The offset the server holds (Upload-Offset), to resume from',
  security,
  request: { params: IdParams },
  responses: { 200: { description: 'The offset', headers: OffsetHeaders }, ...errorResponses(401, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/api/uploads/{id}',
  tags: ['uploads'],
  summary: 'An upload: its offset, whether complete, its sha256, the report citing it',
  security,
  request: { params: IdParams },
  responses: {
    200: { description: 'The upload', content: { 'application/json': { schema: UploadView } } },
    ...errorResponses(401, 404),
  },
});
registry.registerPath({
  method: 'delete',
  path: '/api/uploads/{id}',
  tags: ['uploads'],
  summary: 'Give up an upload no report cites (its bytes are removed)',
  security,
  request: { params: IdParams },
  responses: { 204: { description: 'Removed' }, ...errorResponses(401, 404, 409) },
});

const One = validate({ params: IdParams }, { resource: 'upload' });

export function uploadsRouter(deps: AppDeps): Router {
  const r = Router();
  const up: UploadDeps = {
    db: deps.db,
    files: deps.files,
    clock: deps.clock,
    limits: {
      maxAttachmentBytes: deps.config.MAX_ATTACHMENT_BYTES,
      maxOpenUploads: deps.config.MAX_OPEN_UPLOADS,
      expiryMs: deps.config.UPLOAD_EXPIRY_HOURS * 3600_000,
    },
  };
  // The offset travels in headers as in the tus protocol, so a HEAD (no body) is enough to resume.
  const withOffset = (res: Response, row: UploadRow, status = 200) =>
    res
      .status(status)
      .set('Upload-Offset', String(row.offsetBytes))
      .set('Upload-Length', String(row.lengthBytes))
      .set('Cache-Control', 'no-store');
  const send = (res: Response, row: UploadRow, status = 200) =>
    withOffset(res, row, status).json(uploadView(row, up.limits.expiryMs));

  r.post('/', allow(canFileReport), express.json({ limit: '4kb' }), async (req, res) => {
    const row = await createUpload(up, requireUser(req), req.body);
    res.location(`/api/uploads/${row.id}`);
    send(res, row, 201);
  });

  r.head('/:id', allow(canFileReport), One, async (req, res) => {
    withOffset(res, await getUpload(up, requireUser(req), One.input(req).params.id)).end();
  });

  r.get('/:id', allow(canFileReport), One, async (req, res) => {
    send(res, await getUpload(up, requireUser(req), One.input(req).params.id));
  });

  r.patch('/:id', allow(canFileReport), One, async (req: Request, res) => {
    if (!req.is(CHUNK_TYPE))
      throw new Invalid([{ field: 'Content-Type', reason: `send the chunk as ${CHUNK_TYPE}` }], 415);
    const offsetText = req.get('Upload-Offset') ?? '';
    if (!/^\d{1,15}$/.test(offsetText))
      throw new Invalid([{ field: 'Upload-Offset', reason: 'required: the byte offset this chunk starts at' }], 400);
    const declared = req.get('Content-Length');
    const row = await appendChunk(
      up,
      requireUser(req),
      One.input(req).params.id,
      Number(offsetText),
      req,
      declared && /^\d+$/.test(declared) ? Number(declared) : null,
    );
    send(res, row);
  });

  r.delete('/:id', allow(canFileReport), One, async (req, res) => {
    await removeUpload(up, requireUser(req), One.input(req).params.id);
    res.status(204).end();
  });

  return r;
}
