// Multipart uploads stream to disk, never into memory: each file part is written to a staged file in the store
// while it is hashed and its first bytes kept for type sniffing and EXIF. Parallel uploads of large files once
// took the API from 550 MB to 1.5 GB of memory before being refused. Limits hold per file (busboy's), per
// request (the sum of all parts, counted as they arrive) and, for the report form, per type: a file whose first
// bytes are not an allowed type is refused (415) as soon as those bytes arrive instead of after the whole upload.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import type { FileStore } from '../storage/files.ts';
import type { IncomingFile } from '../attachments/prepare.ts';
import { HEAD_BYTES, SNIFF_BYTES, sniffType, ALLOWED_LIST } from '../attachments/sniff.ts';
import { Invalid } from '../errors.ts';

export interface UploadLimits {
  files: number;
  fileBytes: number;
  /** All parts of one request together. */
  totalBytes: number;
  fields: number;
  fieldBytes: number;
  /** Refuse a file part whose first bytes are not an allowed evidence type (the report form; not OpenRosa). */
  sniffEarly: boolean;
}

/** What a staged part carries besides multer's own fields. */
export interface StagedPart {
  path: string;
  size: number;
  sha256: string;
  head: Buffer;
}

const received = new WeakMap<Request, number>();
const fileParts = new WeakMap<Request, number>();

function stagedStorage(files: FileStore, limits: UploadLimits): multer.StorageEngine {
  return {
    _handleFile(req, file, cb) {
      const dest = files.stagePath();
      // Named as intake names it (attachments[0], ...), so an early refusal reads like a late one.
      const index = fileParts.get(req) ?? 0;
      fileParts.set(req, index + 1);
      const field = `${file.fieldname}[${index}]`;
      const out = createWriteStream(dest, { mode: 0o640 });
      const hash = createHash('sha256');
      const head: Buffer[] = [];
      let headBytes = 0;
      let size = 0;
      let sniffed = !limits.sniffEarly;
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        file.stream.unpipe(out);
        file.stream.resume(); // let busboy move on; the request is answered with the error
        out.destroy();
        rm(dest, { force: true }).finally(() => cb(err));
      };
      // The verdict on the part's type: settled at once when there is nothing to sniff.
      let verdict: Promise<void> = Promise.resolve();
      const sniff = () => {
        sniffed = true;
        if (size === 0) return; // an empty part is intake's to refuse (422), not a type question
        file.stream.pause();
        verdict = sniffType(Buffer.concat(head)).then((type) => {
          if (!type)
            throw new Invalid([{ field, reason: `type not allowed (${ALLOWED_LIST}, judged by content)` }], 415);
          file.stream.resume();
        });
        verdict.catch(fail);
      };
      file.stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        const total = (received.get(req) ?? 0) + chunk.length;
        received.set(req, total);
        if (total > limits.totalBytes) {
          fail(
            new Invalid([{ field: '(body)', reason: `request larger than ${limits.totalBytes} bytes in all` }], 413),
          );
          return;
        }
        hash.update(chunk);
        size += chunk.length;
        if (headBytes < HEAD_BYTES) {
          head.push(chunk);
          headBytes += chunk.length;
        }
        if (!sniffed && headBytes >= SNIFF_BYTES) sniff();
      });
      file.stream.on('end', () => {
        if (!sniffed && !failed) sniff();
      });
      file.stream.on('error', (err) => fail(err));
      out.on('error', (err) => fail(err));
      out.on('finish', () => {
        if (failed) return;
        const staged: StagedPart = {
          path: dest,
          size,
          sha256: hash.digest('hex'),
          head: Buffer.concat(head).subarray(0, HEAD_BYTES),
        };
        verdict.then(
          () => {
            if (!failed) cb(null, staged as Partial<Express.Multer.File>);
          },
          () => undefined,
        );
      });
      file.stream.pipe(out);
    },
    _removeFile(_req, file, cb) {
      rm((file as unknown as StagedPart).path, { force: true }).then(() => cb(null), cb);
    },
  };
}

/**
 * multer over staged files, with the request's staged files removed once the response is sent: a file the
 * report adopted has moved under its content address by then, anything else (refused, duplicate) goes.
 */
export function stagedUpload(files: FileStore, limits: UploadLimits): RequestHandler {
  const upload = multer({
    storage: stagedStorage(files, limits),
    limits: {
      files: limits.files,
      fileSize: limits.fileBytes,
      fields: limits.fields,
      fieldSize: limits.fieldBytes,
      parts: limits.files + limits.fields,
    },
  }).any();
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.totalBytes + 64 * 1024) {
      next(new Invalid([{ field: '(body)', reason: `request larger than ${limits.totalBytes} bytes in all` }], 413));
      return;
    }
    res.on('close', () => {
      // A part cut short by an error may have no path yet; multer removes those itself. A removal that fails is the
      // sweep's: unhandled, its rejection would end the process.
      for (const f of (req.files as Express.Multer.File[] | undefined) ?? [])
        if (f.path) rm(f.path, { force: true }).catch(() => undefined);
    });
    upload(req, res, next);
  };
}

/** The staged parts of a request as intake's incoming files. */
export function stagedFiles(req: Request, field?: string): IncomingFile[] {
  return ((req.files as Array<Express.Multer.File & StagedPart> | undefined) ?? [])
    .filter((f) => field === undefined || f.fieldname === field)
    .map((f) => ({
      stagedPath: f.path,
      sizeBytes: f.size,
      sha256: f.sha256,
      head: f.head,
      originalName: f.originalname,
      field: f.fieldname,
    }));
}
