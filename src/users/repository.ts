// The User table's one data-access module: accounts as sign-in, administration and assignment read and change them.
import type { Db, Tx } from '../db/client.ts';
import type { Role } from './index.ts';

const select = { id: true, username: true, role: true, displayName: true } as const;
/** Where and how notices reach the account by email (src/notifications). */
const noticeFields = { email: true, emailNotifications: true, language: true } as const;

export async function insertUser(
  db: Db | Tx,
  data: { username: string; passwordHash: string; role: Role; displayName?: string; phone?: string },
) {
  return db.user.create({ data, select });
}

/** The account and its password hash, disabled or not, for checking a sign-in. */
export async function findByUsername(db: Db, username: string) {
  return db.user.findUnique({ where: { username }, select: { ...select, passwordHash: true, disabledAt: true } });
}

export async function findById(db: Db, id: string) {
  return db.user.findUnique({ where: { id }, select: { ...select, disabledAt: true } });
}

export async function listAll(db: Db) {
  return db.user.findMany({
    orderBy: { username: 'asc' },
    select: { ...select, ...noticeFields, phone: true, disabledAt: true, createdAt: true },
  });
}

export async function countAll(db: Db): Promise<number> {
  return db.user.count();
}

/** Where and how the account's notices are emailed. */
export async function findNoticeSettings(db: Db | Tx, id: string) {
  return db.user.findUnique({ where: { id }, select: noticeFields });
}

/** What an admin's change replaces. */
export async function findForUpdate(tx: Tx, id: string) {
  return tx.user.findUnique({
    where: { id },
    select: { role: true, displayName: true, phone: true, ...noticeFields, disabledAt: true },
  });
}

/** Replaces the account's password hash; the username it belongs to, or null when there is no such account. */
export async function setPasswordHash(tx: Tx, id: string, passwordHash: string): Promise<{ username: string } | null> {
  const rows = await tx.user.updateManyAndReturn({ where: { id }, data: { passwordHash }, select: { username: true } });
  return rows[0] ?? null;
}

export async function updateAccount(
  tx: Tx,
  id: string,
  data: {
    role?: Role;
    displayName?: string;
    phone?: string | null;
    email?: string | null;
    emailNotifications?: boolean;
    language?: string | null;
    disabledAt?: Date | null;
  },
) {
  return tx.user.update({ where: { id }, data, select: { ...select, ...noticeFields, phone: true, disabledAt: true } });
}

export async function exists(tx: Tx, id: string): Promise<boolean> {
  return (await tx.user.findUnique({ where: { id }, select: { id: true } })) !== null;
}

/** Ids of the accounts whose username holds `text` (case-insensitive; `text` is a LIKE literal already). */
export async function idsWithUsernameLike(db: Db, text: string): Promise<string[]> {
  const rows = await db.user.findMany({
    where: { username: { contains: text, mode: 'insensitive' } },
    select: { id: true },
  });
  return rows.map((u) => u.id);
}

/** Which of `names` are usernames of accounts that are not observers' (commission members, admins). */
export async function staffUsernamesAmong(db: Db, names: string[]): Promise<Set<string>> {
  if (!names.length) return new Set();
  const rows = await db.user.findMany({
    where: { username: { in: names }, role: { not: 'observer' } },
    select: { username: true },
  });
  return new Set(rows.map((u) => u.username));
}

/** Usernames of accounts that are not observers' holding `text` (case-insensitive; `text` is a LIKE literal already). */
export async function staffUsernamesLike(db: Db, text: string): Promise<string[]> {
  const rows = await db.user.findMany({
    where: { username: { contains: text, mode: 'insensitive' }, role: { not: 'observer' } },
    select: { username: true },
  });
  return rows.map((u) => u.username);
}

/** An account's name, role and state, its row locked until the transaction ends (a disabling waits for it). */
export async function lockAccount(
  tx: Tx,
  id: string,
): Promise<{ username: string; role: Role; disabledAt: Date | null } | null> {
  const rows = await tx.$queryRaw<Array<{ username: string; role: Role; disabledAt: Date | null }>>`
    SELECT username, role::text AS role, "disabledAt" FROM "User" WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}

/** Every account's id, whatever its role now (an account that filed reports may have changed role since). */
export async function allIds(db: Db): Promise<string[]> {
  return (await db.user.findMany({ select: { id: true } })).map((u) => u.id);
}

/** Role and state of a would-be assignee. */
export async function findAssignable(tx: Tx, id: string) {
  return tx.user.findUnique({ where: { id }, select: { role: true, disabledAt: true } });
}

/** The account an SMS sender's number is registered to (src/sms), disabled or not. */
export async function findByPhone(db: Db, phone: string) {
  return db.user.findUnique({ where: { phone }, select: { ...select, disabledAt: true } });
}

/** Commission members incidents can be assigned to. */
export async function activeCommissionMembers(db: Db) {
  return db.user.findMany({
    where: { role: 'commission', disabledAt: null },
    orderBy: { username: 'asc' },
    select: { id: true, username: true, displayName: true },
  });
}

export type UserName = { username: string; displayName: string | null };

/** The names of these users, by id. */
export async function userNames(db: Db, ids: string[]): Promise<Map<string, UserName>> {
  const rows = await db.user.findMany({
    where: { id: { in: ids } },
    select: { id: true, username: true, displayName: true },
  });
  return new Map(rows.map((u) => [u.id, { username: u.username, displayName: u.displayName }]));
}

/** Usernames of the given accounts (deactivated ones too: history names whoever acted or was assigned then). */
export async function usernamesOf(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  return new Map([...(await userNames(db, ids))].map(([id, u]) => [id, u.username]));
}

/** Which of these ids are observer accounts, with their names. */
export async function observersAmong(db: Db, ids: string[]): Promise<Map<string, UserName>> {
  if (!ids.length) return new Map();
  const rows = await db.user.findMany({
    where: { id: { in: ids }, role: 'observer' },
    select: { id: true, username: true, displayName: true },
  });
  return new Map(rows.map((u) => [u.id, { username: u.username, displayName: u.displayName }]));
}

/** Every observer account's id. */
export async function observerIds(db: Db): Promise<string[]> {
  return (await db.user.findMany({ where: { role: 'observer' }, select: { id: true } })).map((u) => u.id);
}
