// Users: accounts and their roles (observer files reports, commission reviews, admin manages users), created and
// changed by admins (admin.ts), checked at sign-in. The User table is repository.ts's.
import { z } from 'zod';
import { appendAudit } from '../audit/index.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { Conflict, Invalid, zodIssues } from '../errors.ts';
import { countAll, findById, findByUsername, insertUser, listAll } from './repository.ts';
import { PhoneNumber } from '../sms/phone.ts';

export const ROLES = ['observer', 'commission', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  displayName: string | null;
}

export const NewUser = z
  .object({
    username: z
      .string()
      .trim()
      .min(2)
      .max(64)
      .regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only'),
    password: z.string().min(8, 'at least 8 characters').max(512),
    role: z.enum(ROLES),
    displayName: z.string().trim().min(1).max(200).optional(),
    phone: PhoneNumber.optional().meta({ description: "An observer's phone: its SMS are filed as their reports." }),
  })
  .meta({ id: 'NewUser' });
export type NewUser = z.infer<typeof NewUser>;

/**
 * Creates an account. Given who creates it, the account and its audit row (user_created) commit together; the seed
 * and the command-line tool create accounts without one.
 */
export async function createUser(
  db: Db,
  input: NewUser,
  by?: { actor: Pick<AuthUser, 'id' | 'username'>; clock: Clock },
): Promise<AuthUser> {
  const parsed = NewUser.safeParse(input);
  if (!parsed.success) throw new Invalid(zodIssues(parsed.error));
  const { username, password, role, displayName, phone } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    if (!by) return await insertUser(db, { username, passwordHash, role, displayName, phone });
    return await db.$transaction(async (tx) => {
      const user = await insertUser(tx, { username, passwordHash, role, displayName, phone });
      await appendAudit(
        tx,
        {
          actorId: by.actor.id,
          actorName: by.actor.username,
          action: 'user_created',
          entityType: 'user',
          entityId: user.id,
          after: user,
        },
        by.clock,
      );
      return user;
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002')
      throw new Conflict(
        isPhoneTaken(err) ? `phone ${phone} belongs to another account` : `username ${username} is taken`,
      );
    throw err;
  }
}

/** The id of the account with this username, or null. */
export async function accountIdOf(db: Db, username: string): Promise<string | null> {
  return (await findByUsername(db, username))?.id ?? null;
}

export async function verifyCredentials(db: Db, username: string, password: string): Promise<AuthUser | null> {
  const row = await findByUsername(db, username);
  if (!row || row.disabledAt) {
    await burnPasswordCheck(password);
    return null;
  }
  if (!(await verifyPassword(row.passwordHash, password))) return null;
  return { id: row.id, username: row.username, role: row.role, displayName: row.displayName };
}

export async function findUserById(db: Db, id: string): Promise<AuthUser | null> {
  const row = await findById(db, id);
  if (!row || row.disabledAt) return null;
  return { id: row.id, username: row.username, role: row.role, displayName: row.displayName };
}

/** Whether a unique violation (P2002) is on the phone number rather than the user name. */
export function isPhoneTaken(err: unknown): boolean {
  return JSON.stringify((err as { meta?: unknown }).meta ?? {}).includes('phone');
}

export async function listUsers(
  db: Db,
): Promise<Array<AuthUser & { phone: string | null; disabled: boolean; createdAt: Date }>> {
  const rows = await listAll(db);
  return rows.map(({ disabledAt, ...u }) => ({ ...u, disabled: disabledAt !== null }));
}

export async function countUsers(db: Db): Promise<number> {
  return countAll(db);
}
