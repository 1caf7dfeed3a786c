// The Notification table's one data-access module: notices written in the transaction of the fact they tell of, a
// member's inbox read in pages, marked read, and the email worker's reads and marks. The statements that write
// notices run on a SqlTx: the pipeline's node-postgres transaction writes them too.
import type { Db, SqlTx, Tx } from '../db/client.ts';
import { NOTIFICATION_EMAIL } from '../queue/names.ts';

export const NOTIFICATION_KINDS = ['assigned', 'severe', 'answered', 'added', 'edited'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One notice of `kind` on each incident for each recipient, with the incident's severity as it now stands. A
 * recipient who still holds an unread notice of that kind on that incident gets nothing more (the partial unique
 * index Notification_unread_key), so the statement never fails on a repeat. Each new notice to an account that
 * wants email and has an address is also an outbox row for the notifications worker, in the same statement.
 */
export async function insertNotices(
  tx: SqlTx,
  kind: NotificationKind,
  notices: Array<{ incidentId: string; recipientId: string }>,
  actorId: string | null,
): Promise<number> {
  if (!notices.length) return 0;
  const list = JSON.stringify(notices);
  const rows = await tx.$queryRaw<Array<{ n: number }>>`
    WITH fresh AS (
      INSERT INTO "Notification" ("recipientId", "kind", "incidentId", "severity", "actorId")
      SELECT v."recipientId", ${kind}::"NotificationKind", v."incidentId", i."severity", ${actorId}::uuid
      FROM jsonb_to_recordset(${list}::jsonb) AS v("incidentId" uuid, "recipientId" uuid)
      JOIN "Incident" i ON i."id" = v."incidentId"
      ORDER BY v."incidentId", v."recipientId"
      ON CONFLICT ("recipientId", "incidentId", "kind") WHERE "readAt" IS NULL DO NOTHING
      RETURNING "id", "recipientId"
    ), mailed AS (
      INSERT INTO "OutboxEvent" ("topic", "payload")
      SELECT ${NOTIFICATION_EMAIL}, jsonb_build_object('notificationId', f."id")
      FROM fresh f JOIN "User" u ON u."id" = f."recipientId"
      WHERE u."emailNotifications" AND u."email" IS NOT NULL AND u."disabledAt" IS NULL
    )
    SELECT count(*)::int AS n FROM fresh`;
  return rows[0]?.n ?? 0;
}

/** Active commission members (those who review incidents), but `except`. */
export async function activeReviewerIds(tx: SqlTx, except: string | null): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT "id"::text AS id FROM "User"
    WHERE "role" = 'commission' AND "disabledAt" IS NULL AND "id" IS DISTINCT FROM ${except}::uuid`;
  return rows.map((r) => r.id);
}

const select = {
  id: true,
  kind: true,
  incidentId: true,
  severity: true,
  actorId: true,
  createdAt: true,
  readAt: true,
  incident: { select: { placeName: true, state: true, mergedIntoId: true } },
} as const;

/** A page of a recipient's notices, newest first, from after (createdAt, id); `limit + 1` rows are read. */
export async function findNoticePage(
  db: Db,
  recipientId: string,
  opts: { limit: number; after: { at: Date; id: string } | null; unread: boolean },
) {
  const after = opts.after
    ? {
        OR: [{ createdAt: { lt: opts.after.at } }, { createdAt: opts.after.at, id: { lt: opts.after.id } }],
      }
    : {};
  return db.notification.findMany({
    where: { recipientId, ...(opts.unread ? { readAt: null } : {}), ...after },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    select,
  });
}
export type NoticeRow = Awaited<ReturnType<typeof findNoticePage>>[number];

export async function countUnread(db: Db, recipientId: string): Promise<number> {
  return db.notification.count({ where: { recipientId, readAt: null } });
}

/**
 * Marks one of the recipient's notices read (a notice read already keeps its first reading); null when the
 * recipient has no such notice.
 */
export async function markNoticeRead(tx: Tx, recipientId: string, id: string, at: Date) {
  const found = await tx.notification.findFirst({ where: { id, recipientId }, select: { id: true } });
  if (!found) return null;
  await tx.notification.updateMany({ where: { id, readAt: null }, data: { readAt: at } });
  return tx.notification.findUniqueOrThrow({ where: { id }, select });
}

export async function markAllNoticesRead(db: Db, recipientId: string, at: Date): Promise<number> {
  return (await db.notification.updateMany({ where: { recipientId, readAt: null }, data: { readAt: at } })).count;
}

/** Deletes up to `limit` notices read before `readBefore`; how many it deleted. */
export async function deleteReadNotices(db: Db, readBefore: Date, limit: number): Promise<number> {
  return db.$executeRaw`DELETE FROM "Notification" WHERE "id" IN (
    SELECT "id" FROM "Notification" WHERE "readAt" < ${readBefore} LIMIT ${limit})`;
}

/** What an email of a notice says, and to whom; null for a notice that no longer exists. */
export async function findForEmail(db: Db, id: string) {
  return db.notification.findUnique({
    where: { id },
    select: {
      id: true,
      kind: true,
      incidentId: true,
      severity: true,
      createdAt: true,
      emailedAt: true,
      recipient: {
        select: {
          id: true,
          username: true,
          displayName: true,
          role: true,
          email: true,
          emailNotifications: true,
          language: true,
          disabledAt: true,
        },
      },
      incident: { select: { placeName: true } },
    },
  });
}

export async function markEmailed(db: Db, id: string, at: Date): Promise<void> {
  await db.notification.update({ where: { id }, data: { emailedAt: at, emailError: null } });
}

export async function recordEmailFailure(db: Db, id: string, reason: string): Promise<void> {
  await db.notification.updateMany({ where: { id }, data: { emailError: reason.slice(0, 500) } });
}
