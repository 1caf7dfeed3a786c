// The Attachment table's reads (attachment rows are written with their report, in the reports' repository): one
// attachment with the observer of its report, and which stored files still have a row.
import type { Db } from '../db/client.ts';

export async function findWithOwner(db: Db, id: string) {
  return db.attachment.findUnique({ where: { id }, include: { report: { select: { observerId: true } } } });
}

/** Of these file hashes, the ones some attachment row points at. */
export async function knownHashes(db: Db, hashes: string[]): Promise<Set<string>> {
  const rows = await db.attachment.findMany({
    where: { sha256: { in: hashes } },
    select: { sha256: true },
    distinct: ['sha256'],
  });
  return new Set(rows.map((r) => r.sha256));
}
