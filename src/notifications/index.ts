// Notifications: a commission member's inbox of what asks for their attention while they were not looking. Written by
// the domain call where the fact happens, in its transaction (a rolled-back change tells nobody): an incident assigned
// to a member by someone else, an incident opened severe or grown severe (every active commission member), and an
// observer's answer or addition on an incident a member holds. One unread notice per incident, kind and recipient
// (repository.ts insertNotices): the statement cannot conflict, so it never fails the action that caused it. Read by
// the review pages' bell (GET /api/notifications); emailed by the notifications worker when SMTP_URL is set
// (email.ts).
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Db, SqlTx } from '../db/client.ts';
import { decodeCursor, keysetPage } from '../db/keyset.ts';
import { NotFound } from '../errors.ts';
import { appendAudit } from '../audit/index.ts';
import { findForUpdate, findNoticeSettings, updateAccount } from '../users/repository.ts';
import {
  deleteReadNotices,
  activeReviewerIds,
  countUnread,
  findNoticePage,
  insertNotices,
  markAllNoticesRead,
  markNoticeRead,
  NOTIFICATION_KINDS,
  type NoticeRow,
  type NotificationKind,
} from './repository.ts';

export { NOTIFICATION_KINDS, type NotificationKind } from './repository.ts';

/** From this severity on (of 5) an incident is severe: the digests' SEVERE_AT, the pages' SEVERE. */
export const SEVERE_AT = 4;

/** The incidents whose severity went from below SEVERE_AT to SEVERE_AT or more (`before` absent: just opened). */
export function grownSevere(changes: Array<{ id: string; before: number | null; after: number }>): string[] {
  return changes.filter((c) => c.after >= SEVERE_AT && (c.before === null || c.before < SEVERE_AT)).map((c) => c.id);
}

/** Every active commission member (but the one who made it so) hears of incidents that became severe. */
export async function noticeSevere(tx: SqlTx, incidentIds: string[], actorId: string | null = null): Promise<void> {
  if (!incidentIds.length) return;
  const reviewers = await activeReviewerIds(tx, actorId);
  await insertNotices(
    tx,
    'severe',
    incidentIds.flatMap((incidentId) => reviewers.map((recipientId) => ({ incidentId, recipientId }))),
    actorId,
  );
}

/** The assignee hears of an incident assigned to them, unless they took it themselves. */
export async function noticeAssignment(
  tx: SqlTx,
  incidentId: string,
  assigneeId: string | null,
  actorId: string | null,
): Promise<void> {
  if (!assigneeId || assigneeId === actorId) return;
  await insertNotices(tx, 'assigned', [{ incidentId, recipientId: assigneeId }], actorId);
}

/**
 * The member an incident is assigned to hears of what an observer did to one of its reports: an answer to a request
 * for information, another addition, or an ODK edit (a new version).
 */
export async function noticeObserverChange(
  tx: SqlTx,
  incident: { id: string; assigneeId: string | null },
  kind: Extract<NotificationKind, 'answered' | 'added' | 'edited'>,
  observerId: string,
): Promise<void> {
  if (!incident.assigneeId) return;
  await insertNotices(tx, kind, [{ incidentId: incident.id, recipientId: incident.assigneeId }], observerId);
}

export const NotificationsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(200).optional(),
    unread: z.enum(['true', 'false']).optional(),
  })
  .strict();
export type NotificationsQuery = z.infer<typeof NotificationsQuery>;

export const Notification = z
  .object({
    id: z.string().uuid(),
    kind: z.enum(NOTIFICATION_KINDS),
    incidentId: z.string().uuid(),
    severity: z.number().int().meta({ description: "The incident's severity when the notice was written." }),
    createdAt: z.string(),
    readAt: z.string().nullable(),
    read: z.boolean(),
    incident: z.object({
      placeName: z.string().nullable(),
      state: z.string(),
      mergedIntoId: z.string().uuid().nullable(),
    }),
  })
  .meta({ id: 'Notification' });

export const NotificationPage = z
  .object({
    items: z.array(Notification),
    nextCursor: z.string().nullable(),
    unread: z.number().int().meta({ description: "How many of the caller's notices are unread (all pages)." }),
  })
  .meta({ id: 'NotificationPage' });

const ORDER = 'notifications';

const view = (n: NoticeRow): z.infer<typeof Notification> => ({
  id: n.id,
  kind: n.kind,
  incidentId: n.incidentId,
  severity: n.severity,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
  read: n.readAt !== null,
  incident: { placeName: n.incident.placeName, state: n.incident.state, mergedIntoId: n.incident.mergedIntoId },
});

/** The caller's notices, newest first, a keyset page at a time, and how many are unread. */
export async function listNotifications(db: Db, recipientId: string, q: NotificationsQuery) {
  const after = q.cursor ? decodeCursor(q.cursor, ORDER) : null;
  const rows = await findNoticePage(db, recipientId, { limit: q.limit, after, unread: q.unread === 'true' });
  const { page, nextCursor } = keysetPage(rows, q.limit, ORDER, (r) => r.createdAt);
  return { items: page.map(view), nextCursor, unread: await countUnread(db, recipientId) };
}

/** Marks one of the caller's notices read; another account's notice is not found, as one that does not exist. */
export async function readNotification(deps: { db: Db; clock: Clock }, recipientId: string, id: string) {
  const row = await deps.db.$transaction((tx) => markNoticeRead(tx, recipientId, id, deps.clock.now()));
  if (!row) throw new NotFound('notification');
  return view(row);
}

/**
 * Deletes the notices read more than `days` days ago (the nightly retention job), a batch at a time so no long
 * statement holds the table; unread ones are kept however old. 0 days: nothing is deleted.
 */
export async function pruneReadNotices(deps: { db: Db; clock: Clock }, days: number, batch = 1000): Promise<number> {
  if (days <= 0) return 0;
  const before = new Date(deps.clock.now().getTime() - days * 86_400_000);
  let deleted = 0;
  for (;;) {
    const n = await deleteReadNotices(deps.db, before, batch);
    deleted += n;
    if (n < batch) return deleted;
  }
}

export async function readAllNotifications(deps: { db: Db; clock: Clock }, recipientId: string) {
  return { marked: await markAllNoticesRead(deps.db, recipientId, deps.clock.now()) };
}

export const NoticeSettings = z
  .object({
    email: z
      .string()
      .nullable()
      .meta({ description: 'Where notices are emailed; set by an admin (PATCH /api/users/:id).' }),
    emailNotifications: z.boolean(),
    language: z
      .enum(['en', 'ar'])
      .nullable()
      .meta({ description: 'Language of the emails; null: English and Arabic.' }),
  })
  .meta({ id: 'NoticeSettings' });

export const NoticeSettingsPatch = z
  .object({
    emailNotifications: z.boolean().optional(),
    language: z.enum(['en', 'ar']).nullable().optional(),
  })
  .strict()
  .refine((p) => p.emailNotifications !== undefined || p.language !== undefined, {
    message: 'give emailNotifications or language',
  })
  .meta({ id: 'NoticeSettingsPatch' });
export type NoticeSettingsPatch = z.infer<typeof NoticeSettingsPatch>;

const settingsView = (u: { email: string | null; emailNotifications: boolean; language: string | null }) => ({
  email: u.email,
  emailNotifications: u.emailNotifications,
  language: u.language === 'en' || u.language === 'ar' ? u.language : null,
});

/** The caller's own email choice for notices. */
export async function noticeSettings(db: Db, userId: string) {
  const u = await findNoticeSettings(db, userId);
  if (!u) throw new NotFound('user');
  return settingsView(u);
}

/** A member turns email notices on or off, or picks their language, for themselves; audited as a user change. */
export async function updateNoticeSettings(
  deps: { db: Db; clock: Clock },
  user: { id: string; username: string },
  patch: NoticeSettingsPatch,
) {
  return deps.db.$transaction(async (tx) => {
    const before = await findForUpdate(tx, user.id);
    if (!before) throw new NotFound('user');
    const after = await updateAccount(tx, user.id, patch);
    await appendAudit(
      tx,
      {
        actorId: user.id,
        actorName: user.username,
        action: 'user_updated',
        entityType: 'user',
        entityId: user.id,
        before,
        after,
      },
      deps.clock,
    );
    return settingsView(after);
  });
}
