// An admin's changes to accounts, each in one transaction with its audit row. What the change means for the
// account's credentials elsewhere (cached tokens and Basic pairs in every API process) is the caller's to announce
// once committed: see src/auth/credential-epoch.ts.
import { appendAudit } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { z } from 'zod';
import { Conflict, NotFound } from '../errors.ts';
import { deleteSessionsOf } from '../sessions/repository.ts';
import { PhoneNumber } from '../sms/phone.ts';
import { randomBytes } from 'node:crypto';
import { isPhoneTaken, NewUser, ROLES, type AuthUser } from './index.ts';
import { hashPassword } from './passwords.ts';
import { findForUpdate, setPasswordHash, updateAccount } from './repository.ts';

export const NOTICE_LANGUAGES = ['en', 'ar'] as const;

export const UserPatch = z
  .object({
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    displayName: z.string().trim().min(1).max(200).optional(),
    phone: PhoneNumber.nullable()
      .optional()
      .meta({ description: "An observer's phone (its SMS are filed as their reports); null removes it." }),
    email: z
      .string()
      .trim()
      .max(254)
      .email()
      .nullable()
      .optional()
      .meta({ description: 'Where notices are emailed (when the server sends email); null removes it.' }),
    emailNotifications: z.boolean().optional().meta({ description: 'Whether notices are also emailed.' }),
    language: z
      .enum(NOTICE_LANGUAGES)
      .nullable()
      .optional()
      .meta({ description: 'The language of emailed notices; null: English and Arabic together.' }),
  })
  .strict()
  .meta({ id: 'UserPatch' });
export type UserPatch = z.infer<typeof UserPatch>;

/**
 * Changes role, name or disabled state. Disabling an account, or changing its role (a new role may need a second
 * factor its sessions were not opened with), ends its browser sessions in the same transaction.
 */
export async function updateUser(
  deps: { db: Db; clock: Clock },
  admin: Pick<AuthUser, 'id' | 'username'>,
  id: string,
  patch: UserPatch,
) {
  return deps.db
    .$transaction(async (tx) => {
      const before = await findForUpdate(tx, id);
      if (!before) throw new NotFound('user');
      const { disabled, ...rest } = patch;
      const after = await updateAccount(tx, id, {
        ...rest,
        ...(disabled === undefined ? {} : { disabledAt: disabled ? (before.disabledAt ?? deps.clock.now()) : null }),
      });
      const sessionsEnded = after.disabledAt || after.role !== before.role ? await deleteSessionsOf(tx, id) : 0;
      await appendAudit(
        tx,
        {
          actorId: admin.id,
          actorName: admin.username,
          action: 'user_updated',
          entityType: 'user',
          entityId: id,
          before,
          after: { ...after, sessionsEnded },
        },
        deps.clock,
      );
      return after;
    })
    .catch((err) => {
      if ((err as { code?: string }).code === 'P2002' && isPhoneTaken(err))
        throw new Conflict(`phone ${patch.phone} belongs to another account`);
      throw err;
    });
}

export const PasswordReset = z
  .object({
    password: NewUser.shape.password
      .optional()
      .meta({ description: 'The new password; without it the server makes one (16 characters) and shows it once.' }),
  })
  .strict()
  .meta({ id: 'PasswordReset' });
export type PasswordReset = z.infer<typeof PasswordReset>;

/**
 * A forgotten password (an observer's, a member's, or the demo logins the first start printed) replaced by an admin,
 * or on the server's own machine by `npm run user:password`: the new one is given back once, the account's browser
 * sessions end with the old one, and the audit row says that it changed, never what to. `admin` null: the command line.
 */
export async function resetPassword(
  deps: { db: Db; clock: Clock },
  admin: Pick<AuthUser, 'id' | 'username'> | null,
  id: string,
  input: PasswordReset = {},
): Promise<{ user: { id: string; username: string }; password: string; sessionsEnded: number }> {
  const password = input.password ?? randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  return deps.db.$transaction(async (tx) => {
    const account = await setPasswordHash(tx, id, passwordHash);
    if (!account) throw new NotFound('user');
    const sessionsEnded = await deleteSessionsOf(tx, id);
    await appendAudit(
      tx,
      {
        actorId: admin?.id ?? null,
        actorName: admin?.username ?? 'cli',
        action: 'password_reset',
        entityType: 'user',
        entityId: id,
        after: { username: account.username, chosenBy: input.password ? 'admin' : 'server', sessionsEnded },
      },
      deps.clock,
    );
    return { user: { id, username: account.username }, password, sessionsEnded };
  });
}
