// TOTP (RFC 6238) through otpauth: SHA-1, 6 digits, 30-second steps, as every authenticator app reads them.
// A code is accepted for its own step and one step either side (clock drift); which step it matched is returned so
// the caller can refuse it once a code of that step, or a later one, has been used (replay).
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const PERIOD_SECONDS = 30;
export const WINDOW_STEPS = 1;
const ISSUER = 'Ceasefire commission';

const totp = (secretBase32: string, label = 'account') =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });

/** A new secret: 160 random bits (RFC 4226's recommendation), base32 as authenticator apps take it. */
export function newTotpSecret(random: (n: number) => Buffer = randomBytes): string {
  return new Secret({ buffer: new Uint8Array(random(20)).buffer }).base32;
}

/** otpauth://totp/... for the enrollment QR code and for typing in by hand. */
export function otpauthUri(secretBase32: string, username: string): string {
  return totp(secretBase32, username).toString();
}

export const stepAt = (nowMs: number) => Math.floor(nowMs / 1000 / PERIOD_SECONDS);

/** The time step `code` is the code of, within the window around `nowMs`; null when it matches none. */
export function matchTotp(secretBase32: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: nowMs, window: WINDOW_STEPS });
  return delta === null ? null : stepAt(nowMs) + delta;
}

/**
 * The step `code` may be accepted for: it matches within the window and comes after `lastStep`, the latest step
 * already used. A code is accepted once; and once a later step's code was used, an earlier step's is refused too.
 * (The database applies the same rule atomically: UPDATE ... WHERE lastStep < step.)
 */
export function freshStep(secretBase32: string, code: string, nowMs: number, lastStep: number): number | null {
  const step = matchTotp(secretBase32, code, nowMs);
  return step !== null && step > lastStep ? step : null;
}

/** The code of a time step (tests and the enrollment check use it; the server never sends a code). */
export function totpCode(secretBase32: string, step: number): string {
  return totp(secretBase32).generate({ timestamp: step * PERIOD_SECONDS * 1000 });
}
