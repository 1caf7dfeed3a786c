// Personal API tokens for machine clients (scripts, ODK Collect). Only SHA-256 of the secret is stored;
// the secret is shown once. Lookups are cached briefly because every bearer request needs one; an entry is trusted
// only while the credential epoch it was filled in is current (src/auth/credential-epoch.ts), so a disabled account
// or a revoked token is refused at once by every API process.
import { createHash, randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Tx } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import { claim, findByHash, insertToken, listOf, revoke } from './repository.ts';
import type { AuthUser } from '../users/index.ts';
import { exists as userExists } from '../users/repository.ts';
import type { CredentialEpoch } from '../auth/credential-epoch.ts';

const PREFIX = 'cft_';
const CACHE_MS = 5_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A new token of `userId`; the secret is in this answer only. Given the owner's name and a clock (a token asked for
 * through the API), its audit row (token_created) commits with it; tests and tools make tokens without one.
 */
export async function createToken(
  db: Db,
  userId: string,
  name: string,
  audited?: { username: string; clock: Clock },
): Promise<{ id: string; token: string }> {
  if (!audited) return issueToken(db, userId, name);
  return db.$transaction(async (tx) => {
    const created = await issueToken(tx, userId, name);
    await appendAudit(
      tx,
      {
        actorId: userId,
        actorName: audited.username,
        action: 'token_created',
        entityType: 'api_token',
        entityId: created.id,
      },
      audited.clock,
    );
    return created;
  });
}

/**
 * A new token inside the caller's transaction (whose audit row the caller writes); the secret is in this answer only.
 * With `claimBy`, the token works only if first used by then (a setup code handed to someone else).
 */
export async function issueToken(
  db: Db | Tx,
  userId: string,
  name: string,
  claimBy: Date | null = null,
): Promise<{ id: string; token: string }> {
  const token = PREFIX + randomBytes(32).toString('base64url');
  const row = await insertToken(db, { userId, name, tokenHash: hashToken(token), claimBy });
  return { id: row.id, token };
}

export interface TokenVerifier {
  verify(token: string): Promise<AuthUser | null>;
  forget(): void;
}

export function createTokenVerifier(
  db: Db,
  epoch: CredentialEpoch,
  now: () => number = Date.now,
  /** The application's clock, which setup codes' claim limits are set by (src/clock.ts). */
  today: () => Date = () => new Date(),
): TokenVerifier {
  // The expiry bounds what the epoch cannot see: a change written to the database by hand.
  const cache = new Map<string, { user: AuthUser | null; until: number; epoch: string }>();
  return {
    async verify(token) {
      if (!token.startsWith(PREFIX) || token.length > 200) return null;
      const key = hashToken(token);
      const current = await epoch.read();
      const hit = cache.get(key);
      if (hit && hit.until > now() && current !== null && hit.epoch === current) return hit.user;
      const row = await findByHash(db, key);
      const usable = row && !row.revokedAt && !row.user.disabledAt && (await claimed(db, row, today()));
      const user = usable
        ? { id: row.user.id, username: row.user.username, role: row.user.role, displayName: row.user.displayName }
        : null;
      if (cache.size > 10_000) cache.clear();
      if (current !== null) cache.set(key, { user, until: now() + CACHE_MS, epoch: current });
      return user;
    },
    forget() {
      cache.clear();
    },
  };
}

/** A token without a claim limit, or one claimed in time: its first use within the limit claims it. */
async function claimed(
  db: Db,
  row: { id: string; claimBy: Date | null; claimedAt: Date | null },
  at: Date,
): Promise<boolean> {
  if (!row.claimBy || row.claimedAt) return true;
  return row.claimBy >= at && (await claim(db, row.id, at));
}

export async function listTokens(db: Db, userId: string) {
  return listOf(db, userId);
}

/** Another account's tokens, for an admin: a 404 when no account has the id. */
export async function listTokensOfUser(db: Db, userId: string) {
  if (!(await userExists(db, userId))) throw new NotFound('user');
  return listOf(db, userId);
}

/**
 * Revokes one of a user's tokens, with its audit row (token_revoked) in the same transaction: the owner's own (the
 * default), or, for an admin, the token of `ownerId` (the row then names the owner).
 */
export async function revokeToken(
  deps: { db: Db; clock: Clock },
  user: Pick<AuthUser, 'id' | 'username'>,
  tokenId: string,
  ownerId: string = user.id,
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    if ((await revoke(tx, ownerId, tokenId, deps.clock.now())) === 0) throw new NotFound('token');
    await appendAudit(
      tx,
      {
        actorId: user.id,
        actorName: user.username,
        action: 'token_revoked',
        entityType: 'api_token',
        entityId: tokenId,
        ...(ownerId === user.id ? {} : { after: { ownerId } }),
      },
      deps.clock,
    );
  });
}
