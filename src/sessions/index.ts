// Browser sessions as their owner sees and ends them. The rows are express-session's (connect-pg-simple); the app
// adds the owner, address and browser once a password is checked. A request signs in only while its row names its
// user, so deleting rows ends sessions at once in every API process, and a row written back by a save that raced
// its deletion (express-session saves at the end of a request) signs nobody in.
import { createHash } from 'node:crypto';
import Bowser from 'bowser';
import { appendAudit, type AuditTx } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import type { AuthUser } from '../users/index.ts';

const LAST_SEEN_EVERY_MS = 60_000;

export interface SessionOrigin { ip: string; userAgent: string | undefined }

/** Marks the (saved) session as `userId`'s, seen now from `origin`. */
export async function recordSession(db: Db, sid: string, userId: string, origin: SessionOrigin, now: Date): Promise<void> {
  await db.session.updateMany({
    where: { sid },
    data: { userId, ip: origin.ip.slice(0, 64), userAgent: origin.userAgent?.slice(0, 300) ?? null, createdAt: now, lastSeenAt: now },
  });
}

/** The session's user while its row names them and the account is active; the visit is noted at most once a minute. */
export async function sessionUser(db: Db, sid: string, userId: string, now: Date): Promise<AuthUser | null> {
  const row = await db.session.findFirst({
    where: { sid, userId, user: { disabledAt: null } },
    select: { lastSeenAt: true, user: { select: { id: true, username: true, role: true, displayName: true } } },
  });
  if (!row?.user) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
    await db.session.updateMany({ where: { sid }, data: { lastSeenAt: now } });
  }
  return row.user;
}

/** What identifies a session in the API: never the id itself, which is what the cookie carries. */
export const publicSessionId = (sid: string) => createHash('sha256').update(sid).digest('base64url').slice(0, 22);

/** "Chrome 131" and "Linux" from a User-Agent; null where it tells nothing (a script's). */
export function describeBrowser(userAgent: string | null): { browser: string | null; os: string | null; summary: string } {
  const parsed = userAgent ? Bowser.parse(userAgent) : null;
  const major = parsed?.browser.version?.split('.')[0];
  const browser = parsed?.browser.name ? [parsed.browser.name, major].filter(Boolean).join(' ') : null;
  const os = parsed?.os.name || null;
  const summary = browser && os ? `${browser} on ${os}` : browser ?? os ?? (userAgent?.slice(0, 60) || 'unknown');
  return { browser, os, summary };
}

export async function listSessions(db: Db, userId: string, currentSid: string | undefined, now: Date) {
  const rows = await db.session.findMany({
    where: { userId, expire: { gt: now } },
    orderBy: { lastSeenAt: 'desc' },
    select: { sid: true, sess: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
  });
  return rows.map((r) => {
    const ua = describeBrowser(r.userAgent);
    return {
      id: publicSessionId(r.sid),
      current: r.sid === currentSid,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      ip: r.ip,
      userAgent: ua.summary,
      browser: ua.browser,
      os: ua.os,
      // Past the password, waiting for the second factor: worth seeing if it was not you.
      secondFactorPending: Boolean((r.sess as { pending?: unknown } | null)?.pending),
    };
  });
}

export type EndScope = { one: string } | { all: true; exceptSid?: string };

/** Ends sessions of `actor` (one by its public id, or all, perhaps but the current one), audited with the deletion. */
export async function endSessions(deps: { db: Db; clock: Clock }, actor: AuthUser, scope: EndScope): Promise<number> {
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.session.findMany({ where: { userId: actor.id }, select: { sid: true } });
    const targets = rows.map((r) => r.sid).filter((sid) => ('one' in scope ? publicSessionId(sid) === scope.one : sid !== scope.exceptSid));
    if ('one' in scope && targets.length === 0) throw new NotFound('session');
    const { count } = await tx.session.deleteMany({ where: { sid: { in: targets } } });
    const label = 'one' in scope ? 'one' : scope.exceptSid ? 'others' : 'all';
    await appendAudit(tx, {
      actorId: actor.id, actorName: actor.username, action: 'sessions_ended', entityType: 'user', entityId: actor.id, after: { scope: label, ended: count },
    }, deps.clock);
    return count;
  });
}

/** Deletes every session of a user inside the caller's transaction (an account disabled, its second factor reset). */
export async function deleteSessionsOf(tx: AuditTx, userId: string): Promise<number> {
  return (await tx.session.deleteMany({ where: { userId } })).count;
}
