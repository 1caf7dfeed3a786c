// Who is submitting: ODK Collect speaks HTTP Basic (after a 401 challenge) or carries a personal API token
// in the server URL (/key/<token>, as ODK Central's app users do). Passwords are checked by src/auth only.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import type { TokenVerifier } from '../tokens/index.ts';
import type { CredentialEpoch } from '../auth/credential-epoch.ts';
import type { AuthUser } from '../users/index.ts';
import { checkCredentials, refuseUnreadable } from '../auth/credentials.ts';
import { canSignInWithBasic } from '../auth/policies.ts';
import type { AuditEntry } from '../audit/index.ts';
import { Forbidden, Unauthenticated } from '../errors.ts';

export interface OpenRosaAuthDeps {
  db: Db;
  tokens: TokenVerifier;
  loginLimiter: LoginLimiter;
  credentialEpoch: CredentialEpoch;
  basicCache?: BasicCache;
  /** Failed password logins are audited (checkCredentials), as on the browser's sign-in form. */
  audit(entry: AuditEntry): Promise<void>;
}

/**
 * Collect sends Basic credentials with every request (form list, each form, HEAD, POST), and each argon2
 * check costs tens of milliseconds of CPU; a verified pair is remembered briefly, keyed by its hash. The pair is
 * verified again in full whenever the credential epoch has moved since (an account disabled, changed or given a new
 * password through any API process: refused at once) and at least every few seconds (a change made in the database
 * by hand): one argon2 check per phone every few seconds at most.
 */
export interface BasicCache {
  /** `recheck`: the pair must be verified again before it is trusted. `epoch`: as read before this lookup. */
  get(key: string, epoch: string | null): { user: AuthUser; recheck: boolean } | undefined;
  set(key: string, user: AuthUser, epoch: string | null): void;
  /** After a recheck: the account as it is now (the pair keeps its expiry), or null to forget the pair. */
  rechecked(key: string, user: AuthUser | null, epoch: string | null): void;
}

export function createBasicCache(
  ttlMs = 30_000,
  now: () => number = Date.now,
  maxEntries = 5_000,
  recheckMs = 5_000,
): BasicCache {
  const entries = new Map<string, { user: AuthUser; until: number; checkedAt: number; epoch: string | null }>();
  return {
    get(key, epoch) {
      const hit = entries.get(key);
      if (hit && hit.until > now()) {
        const stale = epoch === null || hit.epoch !== epoch || now() - hit.checkedAt >= recheckMs;
        return { user: hit.user, recheck: stale };
      }
      entries.delete(key);
      return undefined;
    },
    set(key, user, epoch) {
      if (entries.size >= maxEntries) entries.clear();
      entries.set(key, { user, until: now() + ttlMs, checkedAt: now(), epoch });
    },
    rechecked(key, user, epoch) {
      const hit = entries.get(key);
      if (!hit) return;
      if (user) entries.set(key, { ...hit, user, checkedAt: now(), epoch });
      else entries.delete(key);
    },
  };
}

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

/** The pair of a Basic header, or why the header cannot be read as one (the pair itself is checked by src/auth). */
export function parseBasic(
  header: string | undefined,
): { username: string; password: string } | { unreadable: string } {
  const m = /^Basic(?:\s+(.*?))?\s*$/i.exec(header ?? '');
  if (!m) return { unreadable: 'send HTTP Basic credentials (or a Bearer token)' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(m[1] ?? '')) return { unreadable: 'malformed Basic credentials: not base64' };
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { unreadable: 'malformed Basic credentials: expected username:password' };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether a 401 may invite Basic credentials on this request. */
export const basicAllowed = (c: Pick<OpenRosaCredentials, 'urlToken' | 'secure' | 'basicNeedsTls'>) =>
  c.urlToken === undefined && (c.secure || !c.basicNeedsTls);

// A password alone, on every request: fine for an observer's phone, not for accounts that sign in with a second factor.
function observerOnly(user: AuthUser): AuthUser {
  if (!canSignInWithBasic(user)) {
    throw new Forbidden(
      `HTTP Basic sign-in is for observers; a ${user.role} account signs in on the commission pages (a token in the server URL, /key/<token>/, works for ODK)`,
    );
  }
  return user;
}

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
  if (!basicAllowed(c))
    throw new Forbidden('HTTP Basic is accepted over HTTPS only; use https:// or a /key/<token> server URL');
  const creds = parseBasic(header);
  if ('unreadable' in creds) return refuseUnreadable(deps, creds.unreadable, c.ip, 'openrosa');
  const key = createHash('sha256').update(`${creds.username}\0${creds.password}`).digest('hex');
  // Read before the account is: a pair is never remembered under an epoch older than what was read.
  const epoch = await deps.credentialEpoch.read();
  const cached = deps.basicCache?.get(key, epoch);
  if (cached && !cached.recheck) return cached.user;
  // A pair due for a recheck (the epoch moved, or a few seconds passed) is verified again in full, password included:
  // a password an admin replaced must stop working like a disabled account does, not live on in the cache.
  const user = await checkCredentials(deps, creds, c.ip, 'openrosa');
  if (!user) {
    if (cached) deps.basicCache!.rechecked(key, null, epoch);
    throw new Unauthenticated('wrong username or password');
  }
  observerOnly(user);
  deps.basicCache?.set(key, user, epoch);
  return user;
}
