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

export function auditHash(prevHash: string, row: AuditContent): string {
  const content = {
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
  return sha256Hex(prevHash + canonicalJson(content));
}
