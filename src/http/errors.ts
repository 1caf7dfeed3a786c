// The one place where errors become HTTP. Clients get {error:{code,message,issues?}}, never a stack trace.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { Conflict, DomainError, Forbidden, Invalid, NotFound, SecondFactorRequired, TooManyRequests, Unauthenticated, Unavailable } from '../errors.ts';
import type { Logger } from '../logger.ts';

const MULTER_STATUS: Record<string, { status: number; reason: string }> = {
  LIMIT_FILE_SIZE: { status: 413, reason: 'file too large' },
  LIMIT_FILE_COUNT: { status: 413, reason: 'too many files' },
  LIMIT_PART_COUNT: { status: 413, reason: 'too many parts' },
  LIMIT_FIELD_COUNT: { status: 413, reason: 'too many fields' },
  LIMIT_FIELD_VALUE: { status: 413, reason: 'field value too long' },
  LIMIT_FIELD_KEY: { status: 400, reason: 'field name too long' },
  LIMIT_UNEXPECTED_FILE: { status: 400, reason: 'unexpected file field (use "attachments")' },
  MISSING_FIELD_NAME: { status: 400, reason: 'part without a field name' },
};

function body(code: string, message: string, issues?: Array<{ field: string; reason: string }>) {
  return { error: { code, message, ...(issues ? { issues } : {}) } };
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) { req.socket.destroy(); return; }
    if (err instanceof Invalid) { res.status(err.status).json(body(err.code, err.message, err.issues)); return; }
    if (err instanceof NotFound) { res.status(404).json(body(err.code, err.message)); return; }
    if (err instanceof SecondFactorRequired) { res.status(401).json({ error: { code: err.code, message: err.message, stage: err.stage } }); return; }
    if (err instanceof Unauthenticated) { res.status(401).json(body(err.code, err.message)); return; }
    if (err instanceof Forbidden) { res.status(403).json(body(err.code, err.message)); return; }
    if (err instanceof Conflict) { res.status(409).json({ error: { code: err.code, message: err.message, ...err.details } }); return; }
    if (err instanceof TooManyRequests) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(429).json(body(err.code, err.message)); return;
    }
    if (err instanceof Unavailable) { res.status(503).json(body(err.code, err.message)); return; }
    if (err instanceof multer.MulterError) {
      const m = MULTER_STATUS[err.code] ?? { status: 400, reason: err.message };
      res.status(m.status).json(body('invalid', `${err.field ?? 'multipart'}: ${m.reason}`, [{ field: err.field ?? 'multipart', reason: m.reason }]));
      return;
    }
    // body-parser / busboy errors carry a status and a type; they describe the client's bytes, not our bug.
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      const reason = e.type === 'entity.parse.failed' ? 'malformed JSON'
        : e.type === 'entity.too.large' ? 'body too large'
        : e.type === 'encoding.unsupported' || e.type === 'charset.unsupported' ? 'unsupported encoding' : (e.message ?? 'bad request');
      res.status(status).json(body('invalid', reason, [{ field: '(body)', reason }]));
      return;
    }
    if (/Multipart|Unexpected end of form|Malformed part header|boundary/i.test(e.message ?? '')) {
      res.status(400).json(body('invalid', 'malformed multipart body', [{ field: '(body)', reason: e.message ?? 'malformed' }]));
      return;
    }
    if (err instanceof DomainError) { res.status(400).json(body(err.code, err.message)); return; }
    if (e && typeof e === 'object' && /0x00|invalid byte sequence|unsupported Unicode escape/i.test(String(e.message))) {
      // PostgreSQL refuses NUL characters in text; the statement failed whole, so nothing was stored.
      const reason = 'text contains a NUL character or invalid encoding';
      res.status(400).json(body('invalid', reason, [{ field: '(body)', reason }]));
      return;
    }
    if (isStoreOutage(err)) {
      // Nothing was accepted; the client keeps the report and retries (the observer app and ODK both do).
      log.warn({ err: e.message, url: req.originalUrl }, 'store unavailable');
      res.setHeader('Retry-After', '5');
      res.status(503).json(body('unavailable', 'the database is unreachable; nothing was stored, please retry'));
      return;
    }
    log.error({ err, url: req.originalUrl, method: req.method }, 'unhandled error');
    res.status(500).json(body('internal', 'internal error; it has been logged'));
  };
}

const OUTAGE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database|server closed the connection/i;

function isStoreOutage(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  if (e?.code && ['P1001', 'P1002', 'P1017', 'P2024'].includes(e.code)) return true;
  return OUTAGE.test(e?.message ?? '') || (e?.cause ? OUTAGE.test(String((e.cause as Error).message ?? e.cause)) : false);
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(body('not_found', `no route ${req.method} ${req.path}`));
};
