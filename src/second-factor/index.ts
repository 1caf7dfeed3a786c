// The second factor commission and admin accounts sign in with: enrollment (a secret shown once as a QR code,
// confirmed with a code, ten recovery codes shown once), verification (a TOTP code within one step of now, never
// one of a step already used; or an unused recovery code), and an admin's reset. Attempts are limited like
// passwords, and every enrollment, failure, recovery-code use and reset is audited in the transaction of its change.
import QRCode from 'qrcode';
import { appendAudit, type AuditEntry, type AuditTx } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { Conflict, Forbidden, Invalid, NotFound, Unauthenticated } from '../errors.ts';
import type { AttemptLimiter } from '../auth/login-limiter.ts';
import { deleteSessionsOf } from '../sessions/repository.ts';
import { exists } from '../users/repository.ts';
import {
  claimStep,
  countUnusedCodes,
  deleteEnrollment,
  findEnrollment,
  findSecret,
  insertEnrollment,
  useRecoveryCode,
} from './repository.ts';
import type { AuthUser } from '../users/index.ts';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from './recovery.ts';
import type { SecretBox } from './secret-box.ts';
import { freshStep, matchTotp, newTotpSecret, otpauthUri } from './totp.ts';

export interface SecondFactorDeps {
  db: Db;
  clock: Clock;
  box: SecretBox;
  limiter: AttemptLimiter;
  random?: (n: number) => Buffer;
}

/** Which door the code came through: the sign-in page, or a request for a personal API token. */
export type CodeDoor = 'web' | 'token';
export type SecondFactorMethod = 'totp' | 'recovery_code';

const entry = (user: AuthUser, action: AuditEntry['action'], after: Record<string, unknown>): AuditEntry => ({
  actorId: user.id,
  actorName: user.username,
  action,
  entityType: 'user',
  entityId: user.id,
  after,
});

export async function secondFactorStatus(
  db: Db,
  userId: string,
): Promise<{ enrolledAt: string; recoveryCodesLeft: number } | null> {
  const row = await findEnrollment(db, userId);
  if (!row) return null;
  const recoveryCodesLeft = await countUnusedCodes(db, userId);
  return { enrolledAt: row.enrolledAt.toISOString(), recoveryCodesLeft };
}

/** A new secret for `user` to add to an authenticator app: as text, as an otpauth:// URI and as a QR code (SVG). */
export async function enrollmentOffer(user: AuthUser, random?: (n: number) => Buffer) {
  const secret = newTotpSecret(random);
  const uri = otpauthUri(secret, user.username);
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUri: uri, qrSvg };
}

/**
 * Enrolls `secret` once `code` proves the authenticator holds it. Returns the recovery codes, which exist in clear
 * only in this answer.
 */
export async function confirmEnrollment(
  deps: SecondFactorDeps,
  user: AuthUser,
  secret: string,
  code: string,
  ip: string,
): Promise<string[]> {
  await deps.limiter.consume(user.username, ip);
  const now = deps.clock.now();
  const step = matchTotp(secret, code.trim(), now.getTime());
  if (step === null) {
    await appendAudit(
      deps.db,
      entry(user, 'second_factor_failed', { ip, via: 'enrollment', reason: 'wrong code' }),
      deps.clock,
    );
    throw new Invalid([
      {
        field: 'code',
        reason: "does not match the new secret: type the 6-digit code the app shows now (is the phone's clock right?)",
      },
    ]);
  }
  await deps.limiter.refund(user.username, ip);
  const codes = newRecoveryCodes(deps.random);
  try {
    await deps.db.$transaction(async (tx) => {
      await insertEnrollment(tx, {
        userId: user.id,
        sealedSecret: deps.box.seal(secret),
        lastStep: step,
        enrolledAt: now,
        codeHashes: codes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c)!)),
      });
      await appendAudit(tx, entry(user, 'second_factor_enrolled', { ip, recoveryCodes: codes.length }), deps.clock);
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002')
      throw new Conflict('a second factor is already enrolled for this account');
    throw err;
  }
  return codes;
}

/**
 * Checks a TOTP code or a recovery code. On success the code is used up (the TOTP step, or the recovery code)
 * in one transaction with its audit rows, and `success` (the caller's own audit row, e.g. the login) joins them.
 * Throws Unauthenticated for a wrong or already used code, TooManyRequests past the limits.
 */
export async function verifySecondFactor(
  deps: SecondFactorDeps,
  user: AuthUser,
  code: string,
  ip: string,
  via: CodeDoor,
  success?: AuditEntry,
): Promise<SecondFactorMethod> {
  await deps.limiter.consume(user.username, ip);
  const input = code.trim();
  const now = deps.clock.now();
  const recovery = /^\d{6}$/.test(input) ? null : normaliseRecoveryCode(input);
  const outcome = await deps.db.$transaction(
    async (tx): Promise<{ method: SecondFactorMethod } | { failed: string }> => {
      if (recovery === null) {
        const row = await findSecret(tx, user.id);
        if (!row) throw new Forbidden('no second factor is enrolled for this account');
        const secret = deps.box.open(row.secret);
        const step = freshStep(secret, input, now.getTime(), Number(row.lastStep));
        if (step === null)
          return { failed: matchTotp(secret, input, now.getTime()) === null ? 'wrong code' : 'code already used' };
        // The same rule, atomically: of two requests with one code at once, one finds the step already taken.
        if (!(await claimStep(tx, user.id, step))) return { failed: 'code already used' };
        await auditSuccess(tx, deps.clock, success);
        return { method: 'totp' };
      }
      if (!(await useRecoveryCode(tx, user.id, hashRecoveryCode(recovery), now)))
        return { failed: 'wrong or used recovery code' };
      const left = await countUnusedCodes(tx, user.id);
      await appendAudit(
        tx,
        entry(user, 'second_factor_recovery_used', { ip, via, recoveryCodesLeft: left }),
        deps.clock,
      );
      await auditSuccess(tx, deps.clock, success);
      return { method: 'recovery_code' };
    },
  );
  if ('failed' in outcome) {
    await appendAudit(deps.db, entry(user, 'second_factor_failed', { ip, via, reason: outcome.failed }), deps.clock);
    throw new Unauthenticated('wrong or already used code');
  }
  await deps.limiter.refund(user.username, ip);
  return outcome.method;
}

async function auditSuccess(tx: AuditTx, clock: Clock, success: AuditEntry | undefined) {
  if (success) await appendAudit(tx, success, clock);
}

/**
 * An admin removes a user's second factor and recovery codes (a lost phone): the user's sessions end with it, and
 * the next sign-in leads through enrollment again.
 */
export async function resetSecondFactor(
  deps: { db: Db; clock: Clock },
  admin: Pick<AuthUser, 'id' | 'username'>,
  userId: string,
) {
  return deps.db.$transaction(async (tx) => {
    if (!(await exists(tx, userId))) throw new NotFound('user');
    const removed = await deleteEnrollment(tx, userId);
    const sessionsEnded = await deleteSessionsOf(tx, userId);
    const after = { ...removed, sessionsEnded };
    await appendAudit(
      tx,
      {
        actorId: admin.id,
        actorName: admin.username,
        action: 'second_factor_reset',
        entityType: 'user',
        entityId: userId,
        after,
      },
      deps.clock,
    );
    return after;
  });
}
