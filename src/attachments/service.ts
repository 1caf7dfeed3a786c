// Reading evidence: only through a check that the reader may see the report it belongs to.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import type { FileStore } from '../storage/files.ts';
import type { AuthUser } from '../auth/users.ts';
import { canReadReport } from '../auth/policies.ts';
import { NotFound } from '../errors.ts';
import { makeThumbnail } from './thumbnails.ts';

export async function getReadableAttachment(db: Db, user: AuthUser, id: string) {
  const a = await db.attachment.findUnique({ where: { id }, include: { report: { select: { observerId: true } } } });
  if (!a || !canReadReport(user, a.report)) throw new NotFound('attachment');
  return a;
}

/** Thumbnails are derived data, cached beside the store and rebuilt when missing. */
export async function thumbnailOf(files: FileStore, sha256: string): Promise<Buffer> {
  const cached = path.join(files.root, 'thumbs', sha256.slice(0, 2), `${sha256}-320.jpg`);
  const hit = await readFile(cached).catch(() => null);
  if (hit) return hit;
  const thumb = await makeThumbnail(await readFile(files.pathOf(sha256)));
  await mkdir(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  await writeFile(tmp, thumb);
  await rename(tmp, cached);
  return thumb;
}
