// Walks the audit chain in seq order, in batches so a long log never sits in memory at once.
import type { Db } from '../db/client.ts';
import { auditHash, GENESIS_HASH } from './chain.ts';
import { rowsFrom } from './repository.ts';

export type AuditFault = 'altered' | 'missing' | 'broken-link';

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** For 'missing', seq is the first absent number and `action` that of the next row present. */
  firstBad?: { seq: bigint; reason: AuditFault; action?: string };
}

export async function verifyAuditChain(db: Db, opts: { batchSize?: number } = {}): Promise<AuditVerification> {
  const batchSize = opts.batchSize ?? 2000;
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const rows = await rowsFrom(db, expectedSeq, batchSize);
    for (const row of rows) {
      // seq is part of the hashed content, so a renumbered or reordered row fails as 'altered';
      // a gap can only come from a deleted row.
      if (row.seq !== expectedSeq)
        return { ok: false, checked, firstBad: { seq: expectedSeq, reason: 'missing', action: row.action } };
      if (auditHash(row.prevHash, row) !== row.hash)
        return { ok: false, checked, firstBad: { seq: row.seq, reason: 'altered', action: row.action } };
      if (row.prevHash !== prevHash)
        return { ok: false, checked, firstBad: { seq: row.seq, reason: 'broken-link', action: row.action } };
      prevHash = row.hash;
      expectedSeq += 1n;
      checked += 1;
    }
    if (rows.length < batchSize) return { ok: true, checked };
  }
}
