// The ReportErasure table's one data-access module (tombstones of erased reports), and the reads that choose which
// reports retention erases.
import type { Db, Prisma, Tx } from '../db/client.ts';

export type Tombstone = Prisma.ReportErasureGetPayload<object>;

export async function findTombstone(db: Db | Tx, reportId: string) {
  return db.reportErasure.findUnique({ where: { reportId } });
}

export async function insertTombstone(tx: Tx, row: Prisma.ReportErasureUncheckedCreateInput): Promise<Tombstone> {
  return tx.reportErasure.create({ data: row });
}

/** Tombstones of reports erased while they belonged to one of these incidents (custody packages list them). */
export async function tombstonesOfIncidents(db: Db, incidentIds: string[]) {
  return db.reportErasure.findMany({
    where: { incidentId: { in: incidentIds } },
    orderBy: [{ observedAt: 'asc' }, { reportId: 'asc' }],
  });
}

/**
 * Reports due for erasure under the retention rules, oldest first: those of incidents rejected (state unchanged
 * since) before `rejectedBefore`, and those whose effective terms are only "none" (unrelated to the agreement), received
 * before `unrelatedBefore`, unless their incident was verified. A null cut-off turns its rule off.
 */
export async function reportsDueForErasure(
  db: Db,
  cut: { rejectedBefore: Date | null; unrelatedBefore: Date | null },
  take: number,
): Promise<Array<{ id: string; rule: 'rejected' | 'unrelated' }>> {
  const out: Array<{ id: string; rule: 'rejected' | 'unrelated' }> = [];
  if (cut.rejectedBefore) {
    const rows = await db.report.findMany({
      where: { incident: { state: 'rejected', stateChangedAt: { lt: cut.rejectedBefore } } },
      orderBy: { receivedAt: 'asc' },
      select: { id: true },
      take,
    });
    out.push(...rows.map((r) => ({ id: r.id, rule: 'rejected' as const })));
  }
  if (cut.unrelatedBefore && out.length < take) {
    const rows = await db.report.findMany({
      where: {
        terms: { equals: ['none'] },
        receivedAt: { lt: cut.unrelatedBefore },
        OR: [{ incidentId: null }, { incident: { state: { not: 'verified' } } }],
      },
      orderBy: { receivedAt: 'asc' },
      select: { id: true },
      take: take - out.length,
    });
    const seen = new Set(out.map((r) => r.id));
    out.push(...rows.filter((r) => !seen.has(r.id)).map((r) => ({ id: r.id, rule: 'unrelated' as const })));
  }
  return out;
}
