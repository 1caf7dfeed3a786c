// Reading evidence: only through a check that the reader may see the report it belongs to.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import type { FileStore } from '../storage/files.ts';
import type { AuthUser } from '../users/index.ts';
import { canReadReport } from '../auth/policies.ts';
import { Invalid, NotFound } from '../errors.ts';
import { randomBytes } from 'node:crypto';
import { makeThumbnail } from './thumbnails.ts';
import { findWithOwner } from './repository.ts';

export async function getReadableAttachment(db: Db, user: AuthUser, id: string) {
  const a = await findWithOwner(db, id);
  if (!a || !canReadReport(user, a.report)) throw new NotFound('attachment');
  return a;
}

/** Thumbnails being made in this process, by content: concurrent first requests share one build. */
const building = new Map<string, Promise<Buffer>>();

/**
 * Thumbnails are derived data, cached beside the store and rebuilt when missing. Each build writes its own
 * temporary file (a shared name once made parallel first requests fail), and a picture that cannot be decoded
 * within the pixel limit is the client's 422, not a 500.
 */
/** Where a file's cached thumbnail lives (removed with the file when an erasure removes it). */
export const thumbnailPath = (files: FileStore, sha256: string) =>
  path.join(files.root, 'thumbs', sha256.slice(0, 2), `${sha256}-320.jpg`);

export async function thumbnailOf(files: FileStore, sha256: string): Promise<Buffer> {
  const cached = thumbnailPath(files, sha256);
  const hit = await readFile(cached).catch(() => null);
  if (hit) return hit;
  let pending = building.get(sha256);
  if (!pending) {
    pending = buildThumbnail(files, sha256, cached).finally(() => building.delete(sha256));
    building.set(sha256, pending);
  }
  return pending;
}

async function buildThumbnail(files: FileStore, sha256: string, cached: string): Promise<Buffer> {
  let thumb: Buffer;
  try {
    thumb = await makeThumbnail(await readFile(files.pathOf(sha256)));
  } catch (err) {
    const reason = /pixel limit/i.test((err as Error).message)
      ? 'image too large to preview (pixel limit)'
      : 'image cannot be decoded for a preview';
    throw new Invalid([{ field: 'id', reason }], 422);
  }
  await mkdir(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, thumb);
  await rename(tmp, cached);
  return thumb;
}
