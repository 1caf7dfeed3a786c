// Perceptual hashes are computed by the workers just before a report is processed, never at intake: decoding a photo
// costs milliseconds of CPU that intake's group commit should not wait for, and dedup is the first reader of them.
import type { Db } from '../db/client.ts';
import type { FileStore } from '../storage/files.ts';
import { perceptualHash } from './phash.ts';
import { imagesWithoutPhash, savePhashes } from './repository.ts';

/**
 * Hashes every image of these reports that has no hash yet; safe to run twice or concurrently (the same file gives the
 * same hash). A picture that cannot be decoded (a HEIC sharp cannot read, a damaged file) gets '' and is not retried.
 */
export async function hashReportPhotos(deps: { db: Db; files: FileStore }, reportIds: string[]): Promise<number> {
  const todo = await imagesWithoutPhash(deps.db, reportIds);
  if (!todo.length) return 0;
  const bySha = new Map<string, string>();
  const rows: Array<{ id: string; phash: string }> = [];
  for (const a of todo) {
    let phash = a.known ?? bySha.get(a.sha256);
    if (phash === undefined) {
      phash = await perceptualHash(deps.files.pathOf(a.sha256)).catch(() => '');
      bySha.set(a.sha256, phash);
    }
    rows.push({ id: a.id, phash });
  }
  await savePhashes(deps.db, rows);
  return rows.length;
}
