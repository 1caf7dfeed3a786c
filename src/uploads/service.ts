// Resumable photo uploads for observers on weak links (satellite phones, 2G). A photo is created with its length,
// then sent in chunks, each at the offset the server holds; a cut transfer keeps every byte that reached the disk, so
// the next chunk resumes there instead of from the start. A finished upload is evidence only once a report cites it:
// it then goes through the same checks as a multipart file (prepareAttachments: size, type by content, EXIF) and is
// stored under its sha256 like one.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { FileStore } from '../storage/files.ts';
import type { AuthUser } from '../users/index.ts';
import { Conflict, Invalid, NotFound, zodIssues } from '../errors.ts';
import { HEAD_BYTES } from '../attachments/sniff.ts';
import type { IncomingFile } from '../attachments/prepare.ts';
import { parseReportInput } from '../reports/validate.ts';
import { submitReport, type IntakeDeps, type ReportSource, type SubmitResult } from '../reports/service.ts';
import { addToReport } from '../reports/additions.ts';
import { UploadIds, UploadInput, type UploadView } from './schema.ts';
import {
  advanceOffset,
  bindUploads,
  claimUploads,
  countOpen,
  deleteIdleUploads,
  deleteUpload,
  getOwnUpload,
  insertUpload,
  lockCited,
  lockObserverUploads,
  releaseUploads,
  setUploadHash,
  type UploadRow,
} from './repository.ts';

export interface UploadDeps {
  db: Db;
  files: FileStore;
  clock: Clock;
  limits: { maxAttachmentBytes: number; maxOpenUploads: number; expiryMs: number };
}

/** Where the bytes of an unfinished upload are held: in the store's root, so the finished file is linked, not copied. */
export const uploadPath = (files: FileStore, id: string) => path.join(files.root, `.upload-${id}`);

export function uploadView(row: UploadRow, expiryMs: number): UploadView {
  return {
    id: row.id,
    lengthBytes: row.lengthBytes,
    offsetBytes: row.offsetBytes,
    complete: row.offsetBytes === row.lengthBytes,
    sha256: row.sha256,
    reportId: row.reportId,
    expiresAt: new Date(row.updatedAt.getTime() + expiryMs).toISOString(),
  };
}

export async function createUpload(deps: UploadDeps, observer: AuthUser, raw: unknown): Promise<UploadRow> {
  const parsed = UploadInput.safeParse(raw);
  if (!parsed.success) throw new Invalid(zodIssues(parsed.error));
  const input = parsed.data;
  if (input.lengthBytes > deps.limits.maxAttachmentBytes)
    throw new Invalid([{ field: 'lengthBytes', reason: `larger than ${deps.limits.maxAttachmentBytes} bytes` }], 413);
  const row = await deps.db.$transaction(async (tx) => {
    await lockObserverUploads(tx, observer.id);
    const open = await countOpen(tx, observer.id);
    if (open >= deps.limits.maxOpenUploads)
      throw new Conflict(
        `at most ${deps.limits.maxOpenUploads} unfinished or unused uploads per observer: finish, use or delete one`,
        { open, max: deps.limits.maxOpenUploads },
      );
    return insertUpload(tx, { observerId: observer.id, ...input, now: deps.clock.now() });
  });
  const fh = await open(uploadPath(deps.files, row.id), 'w', 0o640);
  await fh.close();
  return row;
}

export async function getUpload(deps: UploadDeps, observer: AuthUser, id: string): Promise<UploadRow> {
  const row = await getOwnUpload(deps.db, observer.id, id);
  if (!row) throw new NotFound('upload');
  return row;
}

export async function removeUpload(deps: UploadDeps, observer: AuthUser, id: string): Promise<void> {
  const row = await getUpload(deps, observer, id);
  if (row.reportId || row.claimClientId)
    throw new Conflict('this upload is cited by a report', { reportId: row.reportId });
  if (await deleteUpload(deps.db, observer.id, id)) await rm(uploadPath(deps.files, id), { force: true });
}

/**
 * Appends one chunk at `offset`, which must be the offset the server holds (409 otherwise, with that offset). The
 * chunk is read as it arrives; if the link drops, the bytes already written are kept and counted.
 */
export async function appendChunk(
  deps: UploadDeps,
  observer: AuthUser,
  id: string,
  offset: number,
  body: AsyncIterable<Buffer>,
  declaredBytes: number | null,
): Promise<UploadRow> {
  const row = await getUpload(deps, observer, id);
  if (row.reportId || row.claimClientId)
    throw new Conflict('this upload is already cited by a report', { offsetBytes: row.offsetBytes });
  if (offset !== row.offsetBytes)
    throw new Conflict(`the server holds ${row.offsetBytes} bytes of this upload: send from there`, {
      offsetBytes: row.offsetBytes,
    });
  const room = row.lengthBytes - row.offsetBytes;
  if (declaredBytes !== null && declaredBytes > room)
    throw new Invalid(
      [
        {
          field: '(body)',
          reason: `chunk of ${declaredBytes} bytes runs past the upload's length (${room} bytes left)`,
        },
      ],
      413,
    );
  // A transfer cut on the client's side may still be writing here: a second one would truncate under it. (Across API
  // processes the two may overlap; both write the same photo's bytes at the same positions, only one count is kept
  // by advanceOffset, and the sha256 is taken from the file as it ends up.)
  if (transferring.has(id))
    throw new Conflict('a transfer of this upload is still being received: ask for its offset again', {
      offsetBytes: row.offsetBytes,
    });
  transferring.add(id);
  try {
    return await receive(deps, observer, row, offset, body);
  } finally {
    transferring.delete(id);
  }
}

/** Uploads a chunk is being written to in this process. */
const transferring = new Set<string>();

async function receive(
  deps: UploadDeps,
  observer: AuthUser,
  row: UploadRow,
  offset: number,
  body: AsyncIterable<Buffer>,
): Promise<UploadRow> {
  const { id } = row;
  const room = row.lengthBytes - row.offsetBytes;
  const file = uploadPath(deps.files, id);
  const fh = await open(file, 'r+').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new NotFound('upload');
    throw err;
  });
  let written = 0;
  let failure: unknown = null;
  try {
    // Bytes past the recorded offset are from a transfer whose count never reached the database: not held.
    await fh.truncate(offset);
    for await (const chunk of body) {
      if (written + chunk.length > room) {
        failure = new Invalid([{ field: '(body)', reason: `runs past the upload's length (${room} bytes left)` }], 413);
        break;
      }
      await fh.write(chunk, 0, chunk.length, offset + written);
      written += chunk.length;
    }
  } catch {
    // The link dropped (the client's doing, not a fault here): what was written stays and is counted below.
    failure = new Invalid(
      [{ field: '(body)', reason: 'the transfer was cut: ask for the offset held and go on' }],
      400,
    );
  } finally {
    await fh.sync().catch(() => undefined);
    await fh.close();
  }
  if (written > 0 && !(await advanceOffset(deps.db, id, offset, offset + written, deps.clock.now())))
    throw new Conflict('another transfer of this upload moved its offset first', { offsetBytes: offset });
  if (failure) throw failure;
  if (offset + written === row.lengthBytes && written > 0) await setUploadHash(deps.db, id, await sha256Of(file));
  return getUpload(deps, observer, id);
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function headOf(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** `uploadIds` taken out of a report body (JSON array, or one comma-separated multipart field). */
export function splitUploadIds(raw: unknown): { rest: unknown; ids: string[] } {
  if (!raw || typeof raw !== 'object' || !('uploadIds' in raw)) return { rest: raw, ids: [] };
  const { uploadIds, ...rest } = raw as Record<string, unknown>;
  const list =
    typeof uploadIds === 'string'
      ? uploadIds
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : uploadIds;
  const parsed = UploadIds.safeParse(list);
  if (!parsed.success)
    throw new Invalid(
      parsed.error.issues.map((i) => ({
        field: ['uploadIds', ...i.path].join('.').replace(/\.(\d+)/g, '[$1]'),
        reason: i.message,
      })),
    );
  const ids = parsed.data;
  const dup = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (dup >= 0) throw new Invalid([{ field: `uploadIds[${dup}]`, reason: 'cited twice' }]);
  return { rest, ids };
}

/**
 * Files a report with its multipart files and the finished uploads it cites. The uploads are claimed for the
 * report's clientId first (so a retry of the same report may cite them again, another report may not), linked into
 * intake as staged files, and bound to the report once it is stored; a report refused on the way gives them back.
 */
export async function submitReportWithUploads(
  deps: IntakeDeps,
  observer: AuthUser,
  raw: unknown,
  incoming: IncomingFile[],
  source: ReportSource,
): Promise<SubmitResult> {
  const { rest, ids } = splitUploadIds(raw);
  if (!ids.length) return submitReport(deps, observer, rest, incoming, source);
  const { clientId } = parseReportInput(rest, deps.limits.maxNarrativeChars);
  return withCitedUploads(deps, observer, ids, clientId, async (linked) => {
    const result = await submitReport(deps, observer, rest, [...incoming, ...linked], source);
    return { result, reportId: result.report.id };
  });
}

/**
 * Adds to a sent report its multipart files and the finished uploads it cites, checked and claimed as a new report's
 * are (the observer's own, finished, not evidence of anything else); once added they are evidence of that report.
 * `clientId`: the addition's key when the client gives one (a retry of it may cite them again); without one, the
 * addition's claim is its own.
 */
export async function addToReportWithUploads(
  deps: IntakeDeps,
  observer: AuthUser,
  reportId: string,
  raw: unknown,
  incoming: IncomingFile[],
  clientId: string | null = null,
): ReturnType<typeof addToReport> {
  const { rest, ids } = splitUploadIds(raw);
  if (!ids.length) return addToReport(deps, observer, reportId, rest, incoming, clientId);
  return withCitedUploads(deps, observer, ids, clientId ?? randomUUID(), async (linked) => ({
    result: await addToReport(deps, observer, reportId, rest, [...incoming, ...linked], clientId),
    reportId,
  }));
}

/**
 * Claims the cited uploads under `claim` (each must be the observer's, finished, and not claimed under another key),
 * hands them to `file` as staged files, and binds them to the report `file` stored them on; if `file` refuses, the
 * uploads are given back for another attempt.
 */
async function withCitedUploads<T>(
  deps: IntakeDeps,
  observer: AuthUser,
  ids: string[],
  claim: string,
  file: (linked: IncomingFile[]) => Promise<{ result: T; reportId: string }>,
): Promise<T> {
  const rows = await deps.db.$transaction(async (tx) => {
    const found = new Map((await lockCited(tx, ids)).map((r) => [r.id, r]));
    const issues = ids.flatMap((id, i) => {
      const field = `uploadIds[${i}]`;
      const row = found.get(id);
      // Another observer's, never made, or swept after UPLOAD_EXPIRY_HOURS unused: all alike to the caller.
      if (!row || row.observerId !== observer.id) return [{ field, reason: 'no such upload' }];
      if (row.offsetBytes < row.lengthBytes || !row.sha256)
        return [{ field, reason: `upload not finished (${row.offsetBytes} of ${row.lengthBytes} bytes received)` }];
      if (row.claimClientId && row.claimClientId !== claim)
        return [{ field, reason: 'already used by another report' }];
      return [];
    });
    if (issues.length) throw new Invalid(issues);
    await claimUploads(tx, ids, claim, deps.clock.now());
    return ids.map((id) => found.get(id)!);
  });
  // Already evidence of this report (an earlier attempt of it was stored): nothing more to send for them.
  const fresh = rows.flatMap((row, i) => (row.reportId ? [] : [{ row, i }]));
  const linked: IncomingFile[] = [];
  try {
    for (const { row, i } of fresh) {
      const held = uploadPath(deps.files, row.id);
      const stagedPath = deps.files.stagePath();
      await link(held, stagedPath);
      linked.push({
        stagedPath,
        sizeBytes: row.lengthBytes,
        sha256: row.sha256!,
        head: await headOf(held),
        originalName: row.originalName,
        label: `uploadIds[${i}]`,
      });
    }
    const { result, reportId } = await file(linked);
    await bindUploads(deps.db, ids, claim, reportId);
    for (const { row } of fresh) await rm(uploadPath(deps.files, row.id), { force: true });
    return result;
  } catch (err) {
    await releaseUploads(deps.db, ids, claim);
    throw err;
  } finally {
    // Adopted links have moved under their content address; the rest are this attempt's leftovers.
    for (const f of linked) await rm(f.stagedPath, { force: true });
  }
}

/** Uploads unused and idle longer than the expiry go, with the bytes they held. */
export async function sweepExpiredUploads(
  db: Db,
  files: FileStore,
  opts: { now: Date; expiryMs: number },
): Promise<number> {
  const ids = await deleteIdleUploads(db, new Date(opts.now.getTime() - opts.expiryMs));
  for (const id of ids) await rm(uploadPath(files, id), { force: true });
  return ids.length;
}
