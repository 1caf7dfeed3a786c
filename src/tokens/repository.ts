// The ApiToken table's one data-access module. Only the SHA-256 of a token's secret is ever stored.
import type { Db, Tx } from '../db/client.ts';

export async function insertToken(
  db: Db | Tx,
  data: { userId: string; name: string; tokenHash: string; claimBy?: Date | null },
): Promise<{ id: string }> {
  return db.apiToken.create({ data, select: { id: true } });
}

/** The token's state and its owner's, for a bearer request. */
export async function findByHash(db: Db, tokenHash: string) {
  return db.apiToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      revokedAt: true,
      claimBy: true,
      claimedAt: true,
      user: { select: { id: true, username: true, role: true, displayName: true, disabledAt: true } },
    },
  });
}

/** The first use of a token that must be claimed in time; false when it was too late (or claimed already). */
export async function claim(db: Db, tokenId: string, at: Date): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({
    where: { id: tokenId, claimedAt: null, claimBy: { gte: at } },
    data: { claimedAt: at },
  });
  return count === 1;
}

export async function listOf(db: Db, userId: string) {
  return db.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      name: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      claimBy: true,
      claimedAt: true,
    },
  });
}

/** Revokes the user's live token; how many were (0 or 1). */
export async function revoke(db: Db | Tx, userId: string, tokenId: string, at: Date): Promise<number> {
  return (await db.apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: at } }))
    .count;
}
