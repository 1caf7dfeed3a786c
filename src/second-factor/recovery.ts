// Recovery codes: ten single-use codes shown once at enrollment, for a lost or broken authenticator. Each is 80
// random bits (16 base32 characters, written in four groups), so a SHA-256 of it is as safe to keep as an API
// token's; what a person types is normalised first (case, spaces, dashes).
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
export const RECOVERY_CODE_COUNT = 10;

export function newRecoveryCodes(random: (n: number) => Buffer = randomBytes, count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = random(10);
    let bits = 0n;
    for (const b of bytes) bits = (bits << 8n) | BigInt(b);
    let chars = '';
    for (let i = 15; i >= 0; i--) chars += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What a person typed, as it was generated (lower case, no separators); null when it cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | null {
  const plain = input.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-7]{16}$/.test(plain) ? plain : null;
}

export const hashRecoveryCode = (normalised: string) => createHash('sha256').update(normalised).digest('hex');
