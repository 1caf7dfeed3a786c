// The session table's one data-access module. The rows are express-session's (connect-pg-simple writes and expires
// them); the app reads them and adds the owner, address and browser.
import type { Db, Tx } from '../db/client.ts';

export async function markOwned(
  db: Db | Tx,
  sid: string,
  data: { userId: string; ip: string; userAgent: string | null; at: Date },
): Promise<void> {
  await db.session.updateMany({
    where: { sid },
    data: { userId: data.userId, ip: data.ip, userAgent: data.userAgent, createdAt: data.at, lastSeenAt: data.at },
  });
}

/** The session row while it names `userId` and the account is active. */
export async function findSignedIn(db: Db, sid: string, userId: string) {
  return db.session.findFirst({
    where: { sid, userId, user: { disabledAt: null } },
    select: { lastSeenAt: true, user: { select: { id: true, username: true, role: true, displayName: true } } },
  });
}

export async function touch(db: Db, sid: string, at: Date): Promise<void> {
  await db.session.updateMany({ where: { sid }, data: { lastSeenAt: at } });
}

export async function listLive(db: Db, userId: string, now: Date) {
  return db.session.findMany({
    where: { userId, expire: { gt: now } },
    orderBy: { lastSeenAt: 'desc' },
    select: { sid: true, sess: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
  });
}

export async function sidsOf(tx: Tx, userId: string): Promise<string[]> {
  return (await tx.session.findMany({ where: { userId }, select: { sid: true } })).map((r) => r.sid);
}

export async function deleteSids(tx: Tx, sids: string[]): Promise<number> {
  return (await tx.session.deleteMany({ where: { sid: { in: sids } } })).count;
}

/** Deletes every session of a user inside the caller's transaction (an account disabled, its second factor reset). */
export async function deleteSessionsOf(tx: Tx, userId: string): Promise<number> {
  return (await tx.session.deleteMany({ where: { userId } })).count;
}
