// The one place where errors become HTTP (ODK Central's problem.js): problemOf() derives the status, code, message
// and headers of any error once, and each protocol has its writer: JSON problem details for /api (jsonErrors:
// {error:{code,message,issues?}}, never a stack trace) and OpenRosa XML for the OpenRosa routes
// (src/http/routes/openrosa.ts writes the same problem as <OpenRosaResponse>).
import { isDeadlockOrConflict } from '../db/retry.ts';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import multer from 'multer';
import {
  Conflict,
  DomainError,
  Forbidden,
  Invalid,
  NotFound,
  SecondFactorRequired,
  TooManyRequests,
  Unauthenticated,
  Unavailable,
  type FieldIssue,
} from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface Problem {
  status: number;
  code: string;
  message: string;
  issues?: FieldIssue[];
  /** Further members of the JSON error (a conflict's details, the second factor's stage). */
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Not the client's doing: logged (warn for an outage, error for a bug). */
  log?: 'warn' | 'error';
}

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

const invalidBody = (status: number, reason: string, field = '(body)'): Problem => ({
  status,
  code: 'invalid',
  message: reason,
  issues: [{ field, reason }],
});

/** What an error means for the client, whatever the protocol. */
export function problemOf(err: unknown): Problem {
  if (err instanceof Invalid) return { status: err.status, code: err.code, message: err.message, issues: err.issues };
  if (err instanceof NotFound) return { status: 404, code: err.code, message: err.message };
  if (err instanceof SecondFactorRequired)
    return { status: 401, code: err.code, message: err.message, details: { stage: err.stage } };
  if (err instanceof Unauthenticated) return { status: 401, code: err.code, message: err.message };
  if (err instanceof Forbidden) return { status: 403, code: err.code, message: err.message };
  if (err instanceof Conflict) return { status: 409, code: err.code, message: err.message, details: err.details };
  if (err instanceof TooManyRequests) {
    return {
      status: 429,
      code: err.code,
      message: err.message,
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
    };
  }
  if (err instanceof Unavailable) return { status: 503, code: err.code, message: err.message };
  if (err instanceof multer.MulterError) {
    const m = MULTER_STATUS[err.code] ?? { status: 400, reason: err.message };
    const field = err.field ?? 'multipart';
    return {
      status: m.status,
      code: 'invalid',
      message: `${field}: ${m.reason}`,
      issues: [{ field, reason: m.reason }],
    };
  }
  // body-parser / busboy errors carry a status and a type; they describe the client's bytes, not our bug.
  const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500) {
    const reason =
      e.type === 'entity.parse.failed'
        ? 'malformed JSON'
        : e.type === 'entity.too.large'
          ? 'body too large'
          : e.type === 'encoding.unsupported' || e.type === 'charset.unsupported'
            ? 'unsupported encoding'
            : (e.message ?? 'bad request');
    return invalidBody(status, reason);
  }
  if (/Multipart|Unexpected end of form|Malformed part header|boundary/i.test(e?.message ?? '')) {
    return {
      ...invalidBody(400, 'malformed multipart body'),
      issues: [{ field: '(body)', reason: e.message ?? 'malformed' }],
    };
  }
  if (err instanceof DomainError) return { status: 400, code: err.code, message: err.message };
  if (e && typeof e === 'object' && /0x00|invalid byte sequence|unsupported Unicode escape/i.test(String(e.message))) {
    // PostgreSQL refuses NUL characters in text; the statement failed whole, so nothing was stored.
    return invalidBody(400, 'text contains a NUL character or invalid encoding');
  }
  if ((err as { code?: string })?.code === 'P2025') {
    // Prisma's "record to update or delete not found": another request deleted the row between this one's check and
    // its write. A lost race, not a bug: the answer the later request would have had.
    return { status: 404, code: 'not_found', message: 'not found: it was deleted meanwhile' };
  }
  if (isContention(err)) {
    // The database was there but busy: a transaction could not start or finish in time, or lost a write conflict
    // or a deadlock. It rolled back whole, so nothing was stored; the same request succeeds on a retry.
    return retryLater('busy', 'the database is busy; nothing was stored, please retry', 2);
  }
  if (isStoreOutage(err)) {
    // Nothing was accepted; the client keeps the report and retries (the observer app and ODK both do).
    return retryLater('unavailable', 'the database is unreachable; nothing was stored, please retry', 5);
  }
  return { status: 500, code: 'internal', message: 'internal error; it has been logged', log: 'error' };
}

const OUTAGE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database|server closed the connection/i;

/** A 503 the client should retry after the given seconds: nothing was stored. */
function retryLater(code: string, message: string, seconds: number): Problem {
  return { status: 503, code, message, headers: { 'Retry-After': String(seconds) }, log: 'warn' };
}

/** Prisma's P2028 (transaction could not start or expired), or a deadlock or write conflict (src/db/retry.ts). */
function isContention(err: unknown): boolean {
  return (err as { code?: string })?.code === 'P2028' || isDeadlockOrConflict(err);
}

function isStoreOutage(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  if (e?.code && ['P1001', 'P1002', 'P1017', 'P2024'].includes(e.code)) return true;
  return (
    OUTAGE.test(e?.message ?? '') || (e?.cause ? OUTAGE.test(String((e.cause as Error).message ?? e.cause)) : false)
  );
}

/** Logs what is not the client's doing; every writer calls it. */
export function logProblem(log: Logger, p: Problem, err: unknown, req: Request): void {
  if (p.log === 'warn') log.warn({ err: (err as Error)?.message, url: req.originalUrl }, 'store unavailable');
  else if (p.log === 'error') log.error({ err, url: req.originalUrl, method: req.method }, 'unhandled error');
}

/** The JSON writer: {error:{code,message,issues?,...details}}. */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const p = problemOf(err);
    logProblem(log, p, err, req);
    for (const [name, value] of Object.entries(p.headers ?? {})) res.setHeader(name, value);
    res
      .status(p.status)
      .json({ error: { code: p.code, message: p.message, ...(p.issues ? { issues: p.issues } : {}), ...p.details } });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route ${req.method} ${req.path}` } });
};
