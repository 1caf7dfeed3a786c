// Personal API tokens for machine clients (scripts, ODK Collect). Only SHA-256 of the secret is stored;
// the secret is shown once. Lookups are cached briefly because every bearer request needs one; an entry is trusted
// only while the credential epoch it was filled in is current (src/auth/credential-epoch.ts), so a disabled account
// or a revoked token is refused at once by every API process.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import type { AuthUser } from '../users/index.ts';
import type { CredentialEpoch } from '../auth/credential-epoch.ts';

const PREFIX = 'cft_';
const CACHE_MS = 5_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createToken(db: Db, userId: string, name: string): Promise<{ id: string; token: string }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const row = await db.apiToken.create({ data: { userId, name, tokenHash: hashToken(token) }, select: { id: true } });
  return { id: row.id, token };
}

export interface TokenVerifier {
  verify(token: string): Promise<AuthUser | null>;
  forget(): void;
}

export function createTokenVerifier(db: Db, epoch: CredentialEpoch, now: () => number = Date.now): TokenVerifier {
  // The expiry bounds what the epoch cannot see: a change written to the database by hand.
  const cache = new Map<string, { user: AuthUser | null; until: number; epoch: string }>();
  return {
    async verify(token) {
      if (!token.startsWith(PREFIX) || token.length > 200) return null;
      const key = hashToken(token);
      const current = await epoch.read();
      const hit = cache.get(key);
      if (hit && hit.until > now() && current !== null && hit.epoch === current) return hit.user;
      const row = await db.apiToken.findUnique({
        where: { tokenHash: key },
        select: { revokedAt: true, user: { select: { id: true, username: true, role: true, displayName: true, disabledAt: true } } },
      });
      const user = row && !row.revokedAt && !row.user.disabledAt
        ? { id: row.user.id, username: row.user.username, role: row.user.role, displayName: row.user.displayName }
        : null;
      if (cache.size > 10_000) cache.clear();
      if (current !== null) cache.set(key, { user, until: now() + CACHE_MS, epoch: current });
      return user;
    },
    forget() { cache.clear(); },
  };
}

export async function listTokens(db: Db, userId: string) {
  return db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

export async function revokeToken(db: Db, userId: string, tokenId: string, at: Date): Promise<void> {
  const { count } = await db.apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: at } });
  if (count === 0) throw new NotFound('token');
}
