import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshStep, matchTotp, newTotpSecret, otpauthUri, stepAt, totpCode } from '../../../src/second-factor/totp.ts';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from '../../../src/second-factor/recovery.ts';
import { createSecretBox } from '../../../src/second-factor/secret-box.ts';

// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890"), in base32; its 8-digit codes end in these 6 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: Array<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(RFC_VECTORS)('at %i s the code is %s', (seconds, code) => {
    expect(totpCode(RFC_SECRET, stepAt(seconds * 1000))).toBe(code);
    expect(matchTotp(RFC_SECRET, code, seconds * 1000)).toBe(stepAt(seconds * 1000));
  });

  it('accepts the previous, current and next step (clock drift), nothing further', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = stepAt(now);
    for (const d of [-1, 0, 1]) expect(matchTotp(secret, totpCode(secret, step + d), now)).toBe(step + d);
    for (const d of [-3, -2, 2, 3]) expect(matchTotp(secret, totpCode(secret, step + d), now)).toBeNull();
  });

  it('refuses what is not six digits', () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, stepAt(Date.now()));
    for (const bad of ['', '12345', '1234567', `${code} `, code.replace(/\d$/, 'x'), `+${code.slice(1)}`]) {
      expect(matchTotp(secret, bad, Date.now())).toBeNull();
    }
  });

  it('replay: a step already used is refused, and so is an earlier one once a later one was used', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = stepAt(now);
    const current = totpCode(secret, step);
    expect(freshStep(secret, current, now, step - 5)).toBe(step);
    expect(freshStep(secret, current, now, step)).toBeNull(); // the same code twice
    expect(freshStep(secret, totpCode(secret, step - 1), now, step)).toBeNull(); // older than the last used
    expect(freshStep(secret, totpCode(secret, step + 1), now, step)).toBe(step + 1); // the next step is still good
  });

  it('secrets are 160 random bits in base32; the URI is what authenticator apps read', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
    const uri = otpauthUri(a, 'member.one');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Ceasefire%20commission:member\.one\?/);
    expect(uri).toContain(`secret=${a}`);
    expect(uri).toContain('period=30');
    expect(uri).toContain('digits=6');
  });
});

describe('recovery codes', () => {
  it('ten codes of 80 random bits, written in four groups, all different', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it('come from the injected randomness', () => {
    const zero = (n: number) => Buffer.alloc(n);
    expect(newRecoveryCodes(zero, 2)).toEqual(['aaaa-aaaa-aaaa-aaaa', 'aaaa-aaaa-aaaa-aaaa']);
    const ones = (n: number) => Buffer.alloc(n, 0xff);
    expect(newRecoveryCodes(ones, 1)).toEqual(['7777-7777-7777-7777']);
  });

  it('are read however they are typed, and only when they can be a code', () => {
    const [code] = newRecoveryCodes(randomBytes, 1) as [string];
    const plain = code.replace(/-/g, '');
    for (const typed of [code, code.toUpperCase(), plain, ` ${code.replace(/-/g, ' ')} `])
      expect(normaliseRecoveryCode(typed)).toBe(plain);
    for (const bad of ['', '123456', `${plain}a`, plain.slice(1), `${plain.slice(1)}1`])
      expect(normaliseRecoveryCode(bad)).toBeNull();
  });

  it('are kept as SHA-256, never in clear', () => {
    const [code] = newRecoveryCodes(randomBytes, 1) as [string];
    const hash = hashRecoveryCode(normaliseRecoveryCode(code)!);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(code.replace(/-/g, ''));
  });
});

describe('secret box', () => {
  it('seals and opens; a copy sealed with another key, or altered, does not open', () => {
    const box = createSecretBox('one installation key, long enough to be a key');
    const secret = newTotpSecret();
    const sealed = box.seal(secret);
    expect(sealed).not.toContain(secret);
    expect(box.seal(secret)).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe(secret);
    expect(() => createSecretBox('another installation key, also long enough').open(sealed)).toThrow();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), flipped.toString('base64url')].join('.'))).toThrow();
  });
});
