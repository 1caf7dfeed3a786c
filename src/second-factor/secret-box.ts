// TOTP secrets at rest: AES-256-GCM with a key of the installation (SECOND_FACTOR_KEY, else derived from
// SESSION_SECRET), so a copy of the database alone does not give anyone the codes. Stored as
// v1.<iv>.<tag>.<ciphertext> in base64url. Other secrets the installation must read back (webhook signing secrets)
// are sealed the same way under a key of their own purpose, derived from the same material.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createSecretBox(
  keyMaterial: string,
  random: (n: number) => Buffer = randomBytes,
  purpose = 'second-factor secrets v1',
): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', keyMaterial, 'ceasefire-monitoring', purpose, 32));
  return {
    seal(plain) {
      const iv = random(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error(`not a sealed secret (${purpose})`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
