// Users and their credentials. Roles: observer files reports, commission reviews, admin manages users.
import { z } from '../http/zod.ts';
import type { Db } from '../db/client.ts';
import { Conflict, Invalid, zodIssues } from '../errors.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../auth/passwords.ts';

export const ROLES = ['observer', 'commission', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser { id: string; username: string; role: Role; displayName: string | null }

export const NewUser = z.object({
  username: z.string().trim().min(2).max(64).regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only'),
  password: z.string().min(8, 'at least 8 characters').max(512),
  role: z.enum(ROLES),
  displayName: z.string().trim().min(1).max(200).optional(),
}).openapi('NewUser');
export type NewUser = z.infer<typeof NewUser>;

const select = { id: true, username: true, role: true, displayName: true } as const;

export async function createUser(db: Db, input: NewUser): Promise<AuthUser> {
  const parsed = NewUser.safeParse(input);
  if (!parsed.success) throw new Invalid(zodIssues(parsed.error));
  const { username, password, role, displayName } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    return await db.user.create({ data: { username, passwordHash, role, displayName }, select });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw new Conflict(`username ${username} is taken`);
    throw err;
  }
}

export async function verifyCredentials(db: Db, username: string, password: string): Promise<AuthUser | null> {
  const row = await db.user.findUnique({ where: { username }, select: { ...select, passwordHash: true, disabledAt: true } });
  if (!row || row.disabledAt) {
    await burnPasswordCheck(password);
    return null;
  }
  if (!(await verifyPassword(row.passwordHash, password))) return null;
  return { id: row.id, username: row.username, role: row.role, displayName: row.displayName };
}

export async function findUserById(db: Db, id: string): Promise<AuthUser | null> {
  const row = await db.user.findUnique({ where: { id }, select: { ...select, disabledAt: true } });
  if (!row || row.disabledAt) return null;
  return { id: row.id, username: row.username, role: row.role, displayName: row.displayName };
}

export async function listUsers(db: Db): Promise<Array<AuthUser & { disabled: boolean; createdAt: Date }>> {
  const rows = await db.user.findMany({ orderBy: { username: 'asc' }, select: { ...select, disabledAt: true, createdAt: true } });
  return rows.map(({ disabledAt, ...u }) => ({ ...u, disabled: disabledAt !== null }));
}

export async function countUsers(db: Db): Promise<number> {
  return db.user.count();
}
