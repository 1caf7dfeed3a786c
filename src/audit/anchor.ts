// The chain proves that no row was altered or removed from its middle, but a superuser could cut its tail and
// the rest would still verify. An anchor is a (seq, hash) pair kept outside the database — printed in each
// digest the commission receives — that the chain must still contain; a cut tail loses it.
import type { Db } from '../db/client.ts';
import { firstRowOf, lastRow, rowsAt } from './repository.ts';

export interface AuditAnchor {
  seq: string;
  hash: string;
}

export type AnchorFault = 'missing' | 'different';

/** The audit row recording an action on an entity (e.g. the creation of a digest), as an anchor. */
export async function anchorOf(
  db: Db,
  entityType: string,
  entityId: string,
  action: string,
): Promise<AuditAnchor | null> {
  const row = await firstRowOf(db, entityType, entityId, action);
  return row ? { seq: row.seq.toString(), hash: row.hash } : null;
}

/** The newest row: what an operator records to anchor the chain as it is now. */
export async function chainHead(db: Db): Promise<AuditAnchor | null> {
  const row = await lastRow(db);
  return row ? { seq: row.seq.toString(), hash: row.hash } : null;
}

/** Anchors the chain no longer holds as recorded. Run after verifyAuditChain: the rows kept are then genuine. */
export async function checkAnchors(
  db: Db,
  anchors: AuditAnchor[],
): Promise<Array<AuditAnchor & { fault: AnchorFault }>> {
  if (!anchors.length) return [];
  const rows = await rowsAt(
    db,
    anchors.map((a) => BigInt(a.seq)),
  );
  const found = new Map(rows.map((r) => [r.seq.toString(), r.hash]));
  return anchors.flatMap((a): Array<AuditAnchor & { fault: AnchorFault }> => {
    const hash = found.get(a.seq);
    if (hash === undefined) return [{ ...a, fault: 'missing' }];
    return hash === a.hash ? [] : [{ ...a, fault: 'different' }];
  });
}

/** "<seq>:<hash>" as printed in digests and by audit:verify. */
export function parseAnchor(text: string): AuditAnchor | null {
  const m = /^(\d{1,18}):([0-9a-f]{64})$/.exec(text.trim());
  return m ? { seq: m[1]!.replace(/^0+(?=\d)/, ''), hash: m[2]! } : null;
}

export const formatAnchor = (a: AuditAnchor) => `${a.seq}:${a.hash}`;
