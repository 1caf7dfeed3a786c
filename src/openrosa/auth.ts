// Who is submitting: ODK Collect speaks HTTP Basic (after a 401 challenge) or carries a personal API token
// in the server URL (/key/<token>, as ODK Central's app users do). Passwords are checked by src/auth only.
import type { Db } from '../db/client.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import { verifyCredentials, type AuthUser } from '../auth/users.ts';
import { Forbidden, Unauthenticated } from '../errors.ts';

export interface OpenRosaAuthDeps { db: Db; tokens: TokenVerifier; loginLimiter: LoginLimiter }

export interface OpenRosaCredentials {
  authorization?: string;
  /** The token from a /key/<token>/ URL, when the request came that way. */
  urlToken?: string;
  ip: string;
  /** Whether the request reached us over TLS (directly or through a trusted proxy). */
  secure: boolean;
  /** Production refuses Basic over plain HTTP: the password would cross the network readable. */
  basicNeedsTls: boolean;
}

export function parseBasic(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether a 401 may invite Basic credentials on this request. */
export const basicAllowed = (c: Pick<OpenRosaCredentials, 'urlToken' | 'secure' | 'basicNeedsTls'>) =>
  c.urlToken === undefined && (c.secure || !c.basicNeedsTls);

export async function authenticateOpenRosa(deps: OpenRosaAuthDeps, c: OpenRosaCredentials): Promise<AuthUser> {
  if (c.urlToken !== undefined) {
    const user = await deps.tokens.verify(c.urlToken);
    // A wrong key cannot be fixed by typing a password, so no challenge: Collect shows the message instead.
    if (!user) throw new Forbidden('unknown or revoked key in the server URL');
    return user;
  }
  const header = c.authorization?.trim();
  if (header && /^Bearer\s/i.test(header)) {
    const user = await deps.tokens.verify(header.replace(/^Bearer\s+/i, ''));
    if (!user) throw new Unauthenticated('invalid or revoked token');
    return user;
  }
  if (!header) throw new Unauthenticated();
  if (!basicAllowed(c)) throw new Forbidden('HTTP Basic is accepted over HTTPS only; use https:// or a /key/<token> server URL');
  const creds = parseBasic(header);
  if (!creds) throw new Unauthenticated('malformed Basic credentials');
  await deps.loginLimiter.check(creds.username, c.ip);
  const user = await verifyCredentials(deps.db, creds.username, creds.password);
  if (!user) {
    await deps.loginLimiter.failed(creds.username, c.ip);
    throw new Unauthenticated('wrong username or password');
  }
  await deps.loginLimiter.succeeded(creds.username);
  return user;
}
