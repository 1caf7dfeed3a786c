// Reading reports for processing: one query for any number of reports, attachment hashes included,
// so a batch of jobs costs one round trip instead of one (or two) per report.
import { createHash } from 'node:crypto';
import { Prisma } from '../db/client.ts';
import type { ReportForProcessing, Tx } from './types.ts';

// Locking reads take the rows in id order, so two runs sharing reports queue instead of deadlocking.
export async function loadReports(db: Tx, ids: string[], opts: { forUpdate?: boolean } = {}): Promise<Map<string, ReportForProcessing>> {
  if (!ids.length) return new Map();
  const rows = opts.forUpdate
    ? await db.$queryRaw<ReportForProcessing[]>`SELECT ${SELECT_LIST} FROM "Report" r WHERE r."id" = ANY(${ids}::uuid[]) ORDER BY r."id" FOR UPDATE OF r`
    : await db.$queryRaw<ReportForProcessing[]>`SELECT ${SELECT_LIST} FROM "Report" r WHERE r."id" = ANY(${ids}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r]));
}

// The column list, shared by the plain and the locking read.
const SELECT_LIST = Prisma.raw(`r."id", r."contentHash", r."observedAt", r."lat", r."lon", r."accuracyM", r."placeName",
  r."narrative", r."partyAlleged"::text AS "partyAlleged", r."casualties", r."status"::text AS status, r."inputHash",
  r."correction", r."classification", r."terms", r."stance"::text AS stance, r."incidentId", r."incidentPinned",
  ARRAY(SELECT a."sha256"::text FROM "Attachment" a WHERE a."reportId" = r."id" ORDER BY a."sha256") AS "attachmentHashes"`);

/** What processing read: the submitted content, the evidence files, and which analyzer read them. A report
 * whose hash is unchanged since it was processed needs no work; a reviewer's correction is not part of it
 * (it changes the effective terms, not what the machine concluded). */
export function processingInputHash(r: Pick<ReportForProcessing, 'contentHash' | 'attachmentHashes'>, analyzerVersion: string): string {
  return createHash('sha256').update(`${analyzerVersion}\n${r.contentHash}\n${[...r.attachmentHashes].sort().join(',')}`).digest('hex');
}
