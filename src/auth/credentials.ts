// The one path every password login takes (browser form, token request, ODK Basic): the attempt is counted
// against the account's and the address's limits before anything else (a right password is given back), a pair
// that is not even well-formed is refused with what is wrong, and every failure is audited.
import type { AuditEntry } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { Invalid, Unauthenticated, zodIssues } from '../errors.ts';
import { z } from 'zod';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyCredentials, type AuthUser } from '../users/index.ts';

export interface CredentialDeps {
  db: Db;
  loginLimiter: LoginLimiter;
  audit(entry: AuditEntry): Promise<void>;
}

/** Which door the password came through, recorded with a failed attempt. */
export type LoginDoor = 'web' | 'token' | 'openrosa';

// C0 and C1 controls (NUL among them, which PostgreSQL cannot store as text): no user name has them.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A user name and password as they must look before any account is looked up (user names are at most 64). */
export const Credentials = z
  .object({
    username: z
      .string({ error: 'required, as text' })
      .min(1, 'required')
      .max(64, 'at most 64 characters')
      .refine((u) => !CONTROL.test(u), 'contains control characters'),
    password: z.string({ error: 'required, as text' }).min(1, 'required').max(512, 'at most 512 characters'),
  })
  .meta({ id: 'Credentials' });

/** The attempted name as the audit trail can hold it: controls replaced, at most the column's 64 characters. */
function auditName(username: string): string | null {
  const printable = username.replace(new RegExp(CONTROL.source, 'g'), '\uFFFD').slice(0, 64).toWellFormed();
  return printable || null;
}

async function auditFailure(
  deps: CredentialDeps,
  username: string,
  after: { ip: string; via: LoginDoor; reason?: string },
) {
  await deps.audit({
    actorId: null,
    actorName: auditName(username),
    action: 'login_failed',
    entityType: 'user',
    entityId: null,
    after,
  });
}

/**
 * The user, or null for a wrong pair. Throws TooManyRequests while the limits are reached, and Invalid (400,
 * naming the field) for a pair that is not well-formed.
 */
export async function checkCredentials(
  deps: CredentialDeps,
  input: { username?: unknown; password?: unknown },
  ip: string,
  via: LoginDoor,
): Promise<AuthUser | null> {
  const attempted = typeof input.username === 'string' ? input.username : '';
  await deps.loginLimiter.consume(attempted, ip);
  const parsed = Credentials.safeParse({ username: input.username, password: input.password });
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    await auditFailure(deps, attempted, { ip, via, reason: issues.map((i) => `${i.field}: ${i.reason}`).join('; ') });
    throw new Invalid(issues, 400);
  }
  const { username, password } = parsed.data;
  const user = await verifyCredentials(deps.db, username, password);
  if (!user) {
    await auditFailure(deps, username, { ip, via });
    return null;
  }
  await deps.loginLimiter.refund(username, ip);
  return user;
}

/** Credentials that could not even be read (a Basic header that does not decode): counted, audited, refused. */
export async function refuseUnreadable(
  deps: CredentialDeps,
  reason: string,
  ip: string,
  via: LoginDoor,
): Promise<never> {
  await deps.loginLimiter.consume('', ip);
  await auditFailure(deps, '', { ip, via, reason });
  throw new Unauthenticated(reason);
}
