// The one path every password login takes (browser form, token request, ODK Basic): refused while the
// account or address is rate-limited, and every outcome counted against the limits.
import type { Db } from '../db/client.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyCredentials, type AuthUser } from './users.ts';

export interface CredentialDeps { db: Db; loginLimiter: LoginLimiter }

/** The user, or null for a wrong pair; throws TooManyRequests while the limits are reached. */
export async function checkCredentials(deps: CredentialDeps, username: string, password: string, ip: string): Promise<AuthUser | null> {
  await deps.loginLimiter.check(username, ip);
  const user = await verifyCredentials(deps.db, username, password);
  if (!user) {
    await deps.loginLimiter.failed(username, ip);
    return null;
  }
  await deps.loginLimiter.succeeded(username);
  return user;
}
