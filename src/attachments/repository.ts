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

/**
 * Image attachments of these reports still without a perceptual hash, each with the hash another attachment of the
 * same file already has (one computation per file, however many reports cite it).
 */
export async function imagesWithoutPhash(db: Db, reportIds: string[]) {
  if (!reportIds.length) return [];
  return db.$queryRaw<Array<{ id: string; sha256: string; known: string | null }>>`
    SELECT a.id::text, a.sha256::text,
           (SELECT o.phash FROM "Attachment" o WHERE o.sha256 = a.sha256 AND o.phash IS NOT NULL LIMIT 1) AS known
    FROM "Attachment" a
    WHERE a."reportId" = ANY(${reportIds}::uuid[]) AND a.phash IS NULL AND a.mime LIKE 'image/%'`;
}

export async function savePhashes(db: Db, rows: Array<{ id: string; phash: string }>): Promise<void> {
  if (!rows.length) return;
  await db.$executeRaw`UPDATE "Attachment" a SET phash = v.phash
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id uuid, phash text) WHERE a.id = v.id`;
}

/** The hashed photos of an incident's reports (at most `take`). */
export async function photosOfIncident(db: Db, incidentId: string, take: number) {
  return db.attachment.findMany({
    where: { report: { incidentId }, phash: { not: null }, NOT: { phash: '' } },
    select: { id: true, phash: true, reportId: true },
    orderBy: { createdAt: 'asc' },
    take,
  });
}

/**
 * Photos of other reports observed between `from` and `to` whose hash is at most `maxDistance` bits from one of
 * `hashes` (PostgreSQL counts the bits: bit_count of the XOR of the two as bit(64)), nearest first.
 */
export async function photosNear(
  db: Db,
  hashes: string[],
  span: { from: Date; to: Date },
  maxDistance: number,
  take: number,
) {
  if (!hashes.length) return [];
  return db.$queryRaw<Array<{ id: string; hash: string; distance: number }>>`
    SELECT a.id::text, h.hash, bit_count(('x' || a.phash)::bit(64) # ('x' || h.hash)::bit(64))::int AS distance
    FROM unnest(${hashes}::text[]) AS h(hash)
    JOIN "Attachment" a ON a.phash IS NOT NULL AND a.phash <> ''
      AND bit_count(('x' || a.phash)::bit(64) # ('x' || h.hash)::bit(64)) <= ${maxDistance}
    JOIN "Report" r ON r.id = a."reportId" AND r."observedAt" >= ${span.from} AND r."observedAt" < ${span.to}
    ORDER BY distance, a.id
    LIMIT ${take}`;
}

/** Attachments by id, with what a reviewer compares them by (their report's time, place and incident). */
export async function attachmentsForComparison(db: Db, ids: string[]) {
  return db.attachment.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      reportId: true,
      sha256: true,
      mime: true,
      sizeBytes: true,
      originalName: true,
      exifTakenAt: true,
      exifLat: true,
      exifLon: true,
      phash: true,
      createdAt: true,
      report: { select: { incidentId: true, observedAt: true, placeName: true, lat: true, lon: true } },
    },
  });
}
