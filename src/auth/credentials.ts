// The one path every password login takes (browser form, token request, ODK Basic): the attempt is counted
// against the account's and the address's limits before the password is checked (a right one is given back),
// and every wrong pair is audited.
import type { AuditEntry } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyCredentials, type AuthUser } from './users.ts';

export interface CredentialDeps { db: Db; loginLimiter: LoginLimiter; audit(entry: AuditEntry): Promise<void> }

/** Which door the password came through, recorded with a failed attempt. */
export type LoginDoor = 'web' | 'token' | 'openrosa';

/** The user, or null for a wrong pair; throws TooManyRequests while the limits are reached. */
export async function checkCredentials(
  deps: CredentialDeps, username: string, password: string, ip: string, via: LoginDoor,
): Promise<AuthUser | null> {
  await deps.loginLimiter.consume(username, ip);
  const user = await verifyCredentials(deps.db, username, password);
  if (!user) {
    await deps.audit({ actorId: null, actorName: username, action: 'login_failed', entityType: 'user', entityId: null, after: { ip, via } });
    return null;
  }
  await deps.loginLimiter.refund(username, ip);
  return user;
}
