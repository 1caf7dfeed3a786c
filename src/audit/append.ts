// Appends one row to the hash-chained audit log inside the caller's transaction, so the audit row
// commits or rolls back with the change it describes.
import type { Db, SqlTx, Tx } from '../db/client.ts';
import type { AuditAction } from './actions.ts';
import { asStoredJson } from './canonical.ts';
import { auditHash, GENESIS_HASH } from './chain.ts';
import { insertRow, lastRow, lockChain, type StoredAuditRow } from './repository.ts';

export { AUDIT_LOCK_KEY } from './repository.ts';
export type AuditTx = Tx;
export interface Clock {
  now(): Date;
}

export interface AuditEntry {
  actorId?: string | null;
  actorName?: string | null;
  action: AuditAction;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

export type AuditRow = StoredAuditRow;

/**
 * Pass the `tx` of `db.$transaction(async (tx) => ...)`, or a worker's node-postgres transaction (pgTx). The transaction-level advisory lock serialises
 * writers until the caller commits, so append late in the transaction to keep the lock short.
 * Given the plain client instead, it opens a transaction of its own.
 */
export async function appendAudit(tx: AuditTx | SqlTx | Db, entry: AuditEntry, clock: Clock): Promise<AuditRow> {
  if (isClient(tx)) return tx.$transaction((inner) => appendAudit(inner, entry, clock));
  await lockChain(tx);
  // seq is chosen here, under the lock, instead of by the sequence: a rolled-back nextval would
  // leave a gap that the verifier could not tell from a deleted row.
  const last = await lastRow(tx);
  const row = {
    seq: (last?.seq ?? 0n) + 1n,
    at: clock.now(),
    actorId: entry.actorId ?? null,
    actorName: entry.actorName ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: asStoredJson(entry.before),
    after: asStoredJson(entry.after),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = auditHash(prevHash, row);
  await insertRow(tx, { ...row, prevHash, hash });
  return { ...row, prevHash, hash };
}

// A transaction client has $transaction too (nested transactions) but never $connect.
function isClient(tx: AuditTx | SqlTx | Db): tx is Db {
  return typeof (tx as Partial<Db>).$connect === 'function';
}
