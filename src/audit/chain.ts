// How one audit row is hashed. Shared by the writer and the verifier so both see the same bytes.
import { canonicalJson, sha256Hex } from './canonical.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditContent {
  seq: bigint;
  at: Date;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

/** A row's hashed content as JSON values: what the hash covers, and what a custody package shows of the row. */
export function auditContentJson(row: AuditContent) {
  return {
    seq: row.seq.toString(), // bigint as text: JSON numbers lose precision past 2^53
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before ?? null,
    after: row.after ?? null,
  };
}

export function auditHash(prevHash: string, row: AuditContent): string {
  return sha256Hex(prevHash + canonicalJson(auditContentJson(row)));
}
