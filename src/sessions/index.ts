// Browser sessions as their owner sees and ends them. The rows are express-session's (connect-pg-simple); the app
// adds the owner, address and browser once a password is checked. A request signs in only while its row names its
// user, so deleting rows ends sessions at once in every API process, and a row written back by a save that raced
// its deletion (express-session saves at the end of a request) signs nobody in.
import { createHash } from 'node:crypto';
import Bowser from 'bowser';
import { appendAudit, type AuditEntry } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import type { AuthUser } from '../users/index.ts';
import { deleteSids, findSignedIn, listLive, markOwned, sidsOf, touch } from './repository.ts';

export { deleteSessionsOf } from './repository.ts';

const LAST_SEEN_EVERY_MS = 60_000;

export interface SessionOrigin {
  ip: string;
  userAgent: string | undefined;
}

/** Marks the (saved) session as `userId`'s, seen now from `origin`. */
/** Marks the (saved) session as `userId`'s, seen now from `origin`; with `audit`, its row (the login) commits with it. */
export async function recordSession(
  db: Db,
  sid: string,
  userId: string,
  origin: SessionOrigin,
  now: Date,
  audit?: { entry: AuditEntry; clock: Clock },
): Promise<void> {
  const owned = { userId, ip: origin.ip.slice(0, 64), userAgent: origin.userAgent?.slice(0, 300) ?? null, at: now };
  if (!audit) {
    await markOwned(db, sid, owned);
    return;
  }
  await db.$transaction(async (tx) => {
    await markOwned(tx, sid, owned);
    await appendAudit(tx, audit.entry, audit.clock);
  });
}

/** Signs this browser's session out: its row is deleted with the logout's audit row. */
export async function endOwnSession(deps: { db: Db; clock: Clock }, user: AuthUser, sid: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await deleteSids(tx, [sid]);
    await appendAudit(
      tx,
      { actorId: user.id, actorName: user.username, action: 'logout', entityType: 'user', entityId: user.id },
      deps.clock,
    );
  });
}

/** The session's user while its row names them and the account is active; the visit is noted at most once a minute. */
export async function sessionUser(db: Db, sid: string, userId: string, now: Date): Promise<AuthUser | null> {
  const row = await findSignedIn(db, sid, userId);
  if (!row?.user) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
    await touch(db, sid, now);
  }
  return row.user;
}

/** What identifies a session in the API: never the id itself, which is what the cookie carries. */
export const publicSessionId = (sid: string) => createHash('sha256').update(sid).digest('base64url').slice(0, 22);

/** "Chrome 131" and "Linux" from a User-Agent; null where it tells nothing (a script's). */
export function describeBrowser(userAgent: string | null): {
  browser: string | null;
  os: string | null;
  summary: string;
} {
  const parsed = userAgent ? Bowser.parse(userAgent) : null;
  const major = parsed?.browser.version?.split('.')[0];
  const browser = parsed?.browser.name ? [parsed.browser.name, major].filter(Boolean).join(' ') : null;
  const os = parsed?.os.name || null;
  const summary = browser && os ? `${browser} on ${os}` : (browser ?? os ?? (userAgent?.slice(0, 60) || 'unknown'));
  return { browser, os, summary };
}

export async function listSessions(db: Db, userId: string, currentSid: string | undefined, now: Date) {
  const rows = await listLive(db, userId, now);
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
    const targets = (await sidsOf(tx, actor.id)).filter((sid) =>
      'one' in scope ? publicSessionId(sid) === scope.one : sid !== scope.exceptSid,
    );
    if ('one' in scope && targets.length === 0) throw new NotFound('session');
    const count = await deleteSids(tx, targets);
    const label = 'one' in scope ? 'one' : scope.exceptSid ? 'others' : 'all';
    await appendAudit(
      tx,
      {
        actorId: actor.id,
        actorName: actor.username,
        action: 'sessions_ended',
        entityType: 'user',
        entityId: actor.id,
        after: { scope: label, ended: count },
      },
      deps.clock,
    );
    return count;
  });
}
