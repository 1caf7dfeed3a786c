// The SecondFactor and RecoveryCode tables' one data-access module: a user's enrolled secret (sealed), the TOTP step
// last used, and the hashes of the recovery codes.
import type { Db, Tx } from '../db/client.ts';

export async function findEnrollment(db: Db, userId: string) {
  return db.secondFactor.findUnique({ where: { userId }, select: { enrolledAt: true } });
}

export async function countUnusedCodes(db: Db | Tx, userId: string): Promise<number> {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}

export async function insertEnrollment(
  tx: Tx,
  e: { userId: string; sealedSecret: string; lastStep: number; enrolledAt: Date; codeHashes: string[] },
) {
  await tx.secondFactor.create({
    data: { userId: e.userId, secret: e.sealedSecret, lastStep: BigInt(e.lastStep), enrolledAt: e.enrolledAt },
  });
  await tx.recoveryCode.createMany({ data: e.codeHashes.map((codeHash) => ({ userId: e.userId, codeHash })) });
}

export async function findSecret(tx: Tx, userId: string) {
  return tx.secondFactor.findUnique({ where: { userId }, select: { secret: true, lastStep: true } });
}

/** Takes the step if no later or equal one was used: false when another request took it first. */
export async function claimStep(tx: Tx, userId: string, step: number): Promise<boolean> {
  const { count } = await tx.secondFactor.updateMany({
    where: { userId, lastStep: { lt: BigInt(step) } },
    data: { lastStep: BigInt(step) },
  });
  return count > 0;
}

/** Uses up an unused recovery code: false when there is none with this hash. */
export async function useRecoveryCode(tx: Tx, userId: string, codeHash: string, at: Date): Promise<boolean> {
  const { count } = await tx.recoveryCode.updateMany({
    where: { userId, codeHash, usedAt: null },
    data: { usedAt: at },
  });
  return count > 0;
}

/** Removes the secret and the recovery codes; what was removed. */
export async function deleteEnrollment(tx: Tx, userId: string) {
  const removed = await tx.secondFactor.deleteMany({ where: { userId } });
  const codes = await tx.recoveryCode.deleteMany({ where: { userId } });
  return { secondFactorRemoved: removed.count > 0, recoveryCodesRemoved: codes.count };
}
