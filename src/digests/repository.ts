// The Digest table's one data-access module: stored digests, found again by period for a retried schedule.
import type { Db, Tx } from '../db/client.ts';

const summarySelect = {
  id: true,
  periodFrom: true,
  periodTo: true,
  agreementId: true,
  trigger: true,
  requestedById: true,
  contentHash: true,
  createdAt: true,
} as const;

export type DigestTrigger = 'scheduled' | 'on_demand';

/**
 * The scheduled digest of this agreement and period with this content, if stored; takes a lock on the period first
 * so that two runs of the same schedule cannot both file it.
 */
export async function lockAndFindScheduled(tx: Tx, agreementId: string, from: Date, to: Date, contentHash: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`digest:${agreementId}:${from.toISOString()}:${to.toISOString()}`}))`;
  return tx.digest.findFirst({
    where: { trigger: 'scheduled', agreementId, periodFrom: from, periodTo: to, contentHash },
    select: summarySelect,
  });
}

export async function insertDigest(
  tx: Tx,
  d: {
    periodFrom: Date;
    periodTo: Date;
    agreementId: string;
    trigger: DigestTrigger;
    requestedById: string | null;
    contentHash: string;
    data: object;
    createdAt: Date;
  },
) {
  return tx.digest.create({ data: d, select: summarySelect });
}

export async function findDigest(db: Db, id: string) {
  return db.digest.findUnique({ where: { id } });
}

/** A digest without its data (the event a webhook sends). */
export async function findDigestSummary(db: Db, id: string) {
  return db.digest.findUnique({ where: { id }, select: summarySelect });
}

/** Newest first, `take` of them after the digest `cursor` (an id). */
export async function listPage(db: Db, take: number, cursor: string | null | undefined) {
  return db.digest.findMany({
    select: summarySelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
}

/** A digest already compiled for this period, trigger and requester (a digest job run twice). */
export async function findForPeriod(
  db: Db,
  p: { from: Date; to: Date; trigger: DigestTrigger; requestedById: string | null },
) {
  return db.digest.findFirst({
    where: { periodFrom: p.from, periodTo: p.to, trigger: p.trigger, requestedById: p.requestedById },
    select: { id: true },
  });
}
