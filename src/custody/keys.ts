// The installation's custody signing key (Ed25519, node:crypto) and the observer pseudonyms derived from it.
// CUSTODY_SIGNING_KEY is a PKCS#8 PEM, or base64 of a PKCS#8 DER or of a raw 32-byte seed; unset (not in
// production: config.ts refuses that) a development key is derived from SESSION_SECRET so packages still verify.
import { createHash, createHmac, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

// The fixed DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface CustodySigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM: what a package carries and what an investigator pins. */
  publicKeyPem: string;
  /** SHA-256 of the public key's DER, hex: short enough to read out over a phone. */
  fingerprint: string;
  /** The observer's pseudonym: stable per installation, not reversible without the key. */
  pseudonym(observerId: string): string;
}

function fromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** Parses the configured key; throws a message fit for a configuration error. */
export function parseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) key = createPrivateKey(trimmed);
  else {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) throw new Error('neither a PEM private key nor base64');
    const der = Buffer.from(trimmed, 'base64');
    key = der.length === 32 ? fromSeed(der) : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an Ed25519 key is needed, not ${key.asymmetricKeyType}`);
  return key;
}

export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}

export function createCustodySigner(configured: string | undefined, sessionSecret: string): CustodySigner {
  const privateKey = configured
    ? parseSigningKey(configured)
    : fromSeed(createHash('sha256').update(`custody-signing:${sessionSecret}`).digest());
  const publicKey = createPublicKey(privateKey);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  // A key of its own for the pseudonyms, so no HMAC output ever comes from the signing secret itself.
  const pseudonymKey = createHash('sha256').update('custody-pseudonym:').update(seed).digest();
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
    pseudonym: (id) => `observer-${createHmac('sha256', pseudonymKey).update(id).digest('hex').slice(0, 16)}`,
  };
}
