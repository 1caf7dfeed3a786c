// What a reader is shown of an observer's identity. Whoever may not see an observer's name (canSeeObserverName) is
// shown the observer's pseudonym (the custody packages' one, src/custody/keys.ts) wherever the account's id or
// username would appear: a stable account id would let them follow one observer across incidents and back to the
// account list, which is what the pseudonym is there to prevent. One pseudonym everywhere, so pages can still tell
// "the same observer" apart from "another one".
import { canSeeObserverName, canSeeObserverNames } from '../auth/policies.ts';
import type { Db } from '../db/client.ts';
import type { AuthUser } from './index.ts';
import { observersAmong } from './repository.ts';

export type Pseudonym = (observerId: string) => string;
/** An observer's account id as the reader is shown it: the id itself, or the pseudonym. */
export type ObserverKey = (observerId: string) => string;

export function observerKeyFor(reader: AuthUser, pseudonym: Pseudonym): ObserverKey {
  return (id) => (canSeeObserverName(reader, id) ? id : pseudonym(id));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function collectIds(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (UUID.test(value)) into.add(value.toLowerCase());
  } else if (Array.isArray(value)) for (const v of value) collectIds(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectIds(v, into);
}

function replaceStrings(value: unknown, swap: (s: string) => string): unknown {
  if (typeof value === 'string') return swap(value);
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, swap));
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, swap)]));
  return value;
}

/**
 * Records of free shape (audit rows: actor, entity, before/after) as `reader` may see them: every string that is an
 * observer's account id, or the username or display name of an observer whose id the records name, becomes that
 * observer's pseudonym
 * (the reader's own id and name stay).
 */
export async function pseudonymiseObservers<T>(
  db: Db,
  reader: AuthUser,
  pseudonym: Pseudonym,
  records: T[],
): Promise<T[]> {
  if (canSeeObserverNames(reader)) return records;
  const ids = new Set<string>();
  collectIds(records, ids);
  ids.delete(reader.id);
  const observers = await observersAmong(db, [...ids]);
  if (!observers.size) return records;
  const byName = new Map<string, string>();
  for (const [id, u] of observers) {
    byName.set(u.username, id);
    if (u.displayName) byName.set(u.displayName, id);
  }
  const swap = (s: string) => {
    const id = observers.has(s.toLowerCase()) ? s.toLowerCase() : byName.get(s);
    return id ? pseudonym(id) : s;
  };
  return records.map((r) => replaceStrings(r, swap) as T);
}
