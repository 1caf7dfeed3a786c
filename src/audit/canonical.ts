// Canonical JSON: keys sorted at every depth, so the same value always hashes the same,
// whatever order a caller or PostgreSQL's jsonb happened to store the keys in.
import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

const stringify = configure({ deterministic: true, bigint: true, circularValue: Error });

export function canonicalJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The JSON a value becomes once stored in a jsonb column and read back (Dates become ISO strings,
 * undefined members vanish), so a hash computed before the write matches one computed after the read.
 */
export function asStoredJson<T>(value: T): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(canonicalJson(value));
}
