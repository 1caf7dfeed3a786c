// The PhotoUpload table's one data-access module. Reads name the observer: another observer's upload is not found.
import type { Db, Tx } from '../db/client.ts';

const select = {
  id: true,
  observerId: true,
  lengthBytes: true,
  offsetBytes: true,
  originalName: true,
  sha256: true,
  claimClientId: true,
  reportId: true,
  createdAt: true,
  updatedAt: true,
} as const;

export async function getOwnUpload(db: Db | Tx, observerId: string, id: string) {
  return db.photoUpload.findFirst({ where: { id, observerId }, select });
}
export type UploadRow = NonNullable<Awaited<ReturnType<typeof getOwnUpload>>>;

/** Until the transaction ends, the observer's other creations wait: the count of open uploads stays true. */
export async function lockObserverUploads(tx: Tx, observerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`uploads:${observerId}`}, 0))`;
}

export async function countOpen(tx: Tx, observerId: string): Promise<number> {
  return tx.photoUpload.count({ where: { observerId, reportId: null } });
}

export async function insertUpload(
  tx: Tx,
  row: { observerId: string; lengthBytes: number; originalName: string; now: Date },
): Promise<UploadRow> {
  return tx.photoUpload.create({
    data: {
      observerId: row.observerId,
      lengthBytes: row.lengthBytes,
      originalName: row.originalName,
      createdAt: row.now,
      updatedAt: row.now,
    },
    select,
  });
}

/** Moves the offset only from where the writer started: two transfers of one upload cannot both count their bytes. */
export async function advanceOffset(db: Db, id: string, from: number, to: number, now: Date): Promise<boolean> {
  const n = await db.photoUpload.updateMany({
    where: { id, offsetBytes: from, reportId: null },
    data: { offsetBytes: to, updatedAt: now },
  });
  return n.count === 1;
}

export async function setUploadHash(db: Db, id: string, sha256: string): Promise<void> {
  await db.photoUpload.update({ where: { id }, data: { sha256 } });
}

/** The uploads cited by a report, locked until the transaction ends (two reports citing one upload wait in turn). */
export async function lockCited(tx: Tx, ids: string[]) {
  if (!ids.length) return [];
  await tx.$queryRaw`SELECT 1 FROM "PhotoUpload" WHERE id = ANY(${ids}::uuid[]) FOR UPDATE`;
  return tx.photoUpload.findMany({ where: { id: { in: ids } }, select });
}

export async function claimUploads(tx: Tx, ids: string[], clientId: string, now: Date): Promise<void> {
  await tx.photoUpload.updateMany({ where: { id: { in: ids } }, data: { claimClientId: clientId, updatedAt: now } });
}

/** A report that was not stored gives its uploads back (another report, or a retry, may cite them). */
export async function releaseUploads(db: Db, ids: string[], clientId: string): Promise<void> {
  await db.photoUpload.updateMany({
    where: { id: { in: ids }, claimClientId: clientId, reportId: null },
    data: { claimClientId: null },
  });
}

export async function bindUploads(db: Db, ids: string[], clientId: string, reportId: string): Promise<void> {
  await db.photoUpload.updateMany({
    where: { id: { in: ids }, claimClientId: clientId, reportId: null },
    data: { reportId },
  });
}

export async function deleteUpload(db: Db, observerId: string, id: string): Promise<boolean> {
  const n = await db.photoUpload.deleteMany({ where: { id, observerId, reportId: null, claimClientId: null } });
  return n.count === 1;
}

/** Unused uploads idle since before `before`, removed; their files are the sweep's to remove. */
export async function deleteIdleUploads(db: Db, before: Date): Promise<string[]> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    DELETE FROM "PhotoUpload" WHERE "reportId" IS NULL AND "updatedAt" < ${before} RETURNING id::text AS id`;
  return rows.map((r) => r.id);
}

/** An erased report leaves no trace of its photos' uploads (their names, their hashes). */
export async function forgetReportUploads(tx: Tx, reportId: string): Promise<void> {
  await tx.photoUpload.deleteMany({ where: { reportId } });
}
