// The ReportVersion table's one data-access module: the earlier versions of reports their observers edited from
// ODK Collect, and the lookup of a report by any instanceID it was ever sent with. The edit itself is
// src/reports/edits.ts; the report row's side of it is writeEditedReport in repository.ts.
import type { Db, Tx } from '../db/client.ts';

/**
 * The content an instanceID of this observer was sent with: the report it belongs to and the content hash of that
 * version (the current one, or one replaced since). A resend must carry the same content; null: never sent.
 */
export async function findInstanceContent(
  db: Db | Tx,
  observerId: string,
  instanceId: string,
): Promise<{ reportId: string; contentHash: string } | null> {
  // A first version still current has no versionInstanceId: its instance is the clientId. Once replaced, the
  // first version's instance is in ReportVersion with the other replaced ones.
  const [row] = await db.$queryRaw<Array<{ reportId: string; contentHash: string }>>`
    SELECT r.id::text AS "reportId", r."contentHash" FROM "Report" r
    WHERE r."observerId" = ${observerId}::uuid
      AND (r."versionInstanceId" = ${instanceId}::uuid OR (r."versionInstanceId" IS NULL AND r."clientId" = ${instanceId}::uuid))
    UNION ALL
    SELECT r.id::text, v."contentHash" FROM "ReportVersion" v JOIN "Report" r ON r.id = v."reportId"
    WHERE v."instanceId" = ${instanceId}::uuid AND r."observerId" = ${observerId}::uuid
    LIMIT 1`;
  return row ?? null;
}

/**
 * The report of this observer that was sent, in any of its versions, with `instanceId` (its first one, its latest or
 * one replaced since). Another observer's report is never found.
 */
export async function findReportByInstance(
  db: Db | Tx,
  observerId: string,
  instanceId: string,
): Promise<string | null> {
  return (await findInstanceContent(db, observerId, instanceId))?.reportId ?? null;
}

/** The version number a replaced instanceID of this report was (null: not one of its replaced versions). */
export async function replacedVersionOf(tx: Db | Tx, reportId: string, instanceId: string): Promise<number | null> {
  const row = await tx.reportVersion.findFirst({ where: { reportId, instanceId }, select: { version: true } });
  return row?.version ?? null;
}

export interface StoredVersion {
  reportId: string;
  version: number;
  instanceId: string;
  contentHash: string;
  content: Record<string, unknown>;
  replacedAt: Date;
}

export async function insertReportVersion(tx: Tx, v: StoredVersion): Promise<void> {
  await tx.reportVersion.create({
    data: {
      reportId: v.reportId,
      version: v.version,
      instanceId: v.instanceId,
      contentHash: v.contentHash,
      content: v.content as object,
      replacedAt: v.replacedAt,
    },
  });
}
