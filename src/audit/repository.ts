// The AuditEvent table's one data-access module: the chain's lock, its last row, appending, and the reads of the
// verifier, the anchors and the incident page. The hashing and the rules of the chain are in chain.ts / append.ts.
import type { Db, SqlTx } from '../db/client.ts';
import type { AuditContent } from './chain.ts';
import { likeLiteral } from '../db/like.ts';

// Any constant works, as long as every writer of the chain uses the same one.
export const AUDIT_LOCK_KEY = 2020_10_23_05n;

/** Serialises writers of the chain until the caller's transaction ends. */
export async function lockChain(tx: SqlTx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`;
}

// The writer's statements are raw SQL so they run in a Prisma transaction and in a worker's plain node-postgres one
// (src/db/pg-tx.ts) alike: the tie merges dedup queues append a row each. seq travels as text: node-postgres returns
// int8 as a string, and text reads the same through either driver.
export async function lastRow(tx: SqlTx): Promise<{ seq: bigint; hash: string } | null> {
  // Ordered by the column, not the text alias of the same name (ORDER BY prefers an output name: '9' > '10').
  const [row] = await tx.$queryRaw<Array<{ seq: string; hash: string }>>`
    SELECT a."seq"::text AS seq, a."hash" FROM "AuditEvent" a ORDER BY a."seq" DESC LIMIT 1`;
  return row ? { seq: BigInt(row.seq), hash: row.hash } : null;
}

/** A row as stored: its content (chain.ts) and the two hashes. */
export type StoredAuditRow = AuditContent & { prevHash: string; hash: string };

export async function insertRow(tx: SqlTx, row: StoredAuditRow): Promise<void> {
  await tx.$executeRaw`INSERT INTO "AuditEvent"
      ("seq", "at", "actorId", "actorName", "action", "entityType", "entityId", "before", "after", "prevHash", "hash")
    VALUES (${row.seq.toString()}::bigint, ${row.at}::timestamptz, ${row.actorId}::uuid, ${row.actorName}, ${row.action},
      ${row.entityType}, ${row.entityId}, ${jsonText(row.before)}::jsonb, ${jsonText(row.after)}::jsonb, ${row.prevHash},
      ${row.hash})`;
}

// SQL NULL for a null value, as Prisma's DbNull stored it: the verifier reads both back as null.
const jsonText = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** Up to `take` rows from `fromSeq` on, in seq order (the verifier walks the chain with it). */
export async function rowsFrom(db: Db, fromSeq: bigint, take: number) {
  return db.auditEvent.findMany({ where: { seq: { gte: fromSeq } }, orderBy: { seq: 'asc' }, take });
}

/** The first row recording `action` on an entity. */
export async function firstRowOf(db: Db, entityType: string, entityId: string, action: string) {
  return db.auditEvent.findFirst({
    where: { entityType, entityId, action },
    orderBy: { seq: 'asc' },
    select: { seq: true, hash: true },
  });
}

export async function rowsAt(db: Db, seqs: bigint[]) {
  return db.auditEvent.findMany({ where: { seq: { in: seqs } }, select: { seq: true, hash: true } });
}

/** What happened to one entity, oldest first (the incident page's history). */
export async function historyOf(db: Db, entityType: string, entityId: string) {
  return db.auditEvent.findMany({
    where: { entityType, entityId },
    orderBy: { seq: 'asc' },
    select: { at: true, actorName: true, action: true, before: true, after: true },
  });
}

/** Whole rows on any of these incidents or reports, in chain order (an incident's custody package). */
export async function rowsTouching(db: Db, on: { incidentIds: string[]; reportIds: string[] }) {
  return db.auditEvent.findMany({
    where: {
      OR: [
        { entityType: 'incident', entityId: { in: on.incidentIds } },
        ...(on.reportIds.length ? [{ entityType: 'report', entityId: { in: on.reportIds } }] : []),
      ],
    },
    orderBy: { seq: 'asc' },
  });
}

/** The rows recording `action` on these entities, in chain order. */
export async function rowsOfAction(db: Db, entityType: string, entityIds: string[], action: string) {
  return db.auditEvent.findMany({
    where: { entityType, entityId: { in: entityIds }, action },
    orderBy: { seq: 'asc' },
  });
}

/**
 * An incident's history: its own rows, and the rows of the incidents that made or ended it (the split that created
 * it names it as `newIncidentId`, the merge that absorbed it as `mergedId`), so neither side's history is empty.
 */
export async function historyOfIncident(db: Db, incidentId: string) {
  return db.auditEvent.findMany({
    where: {
      entityType: 'incident',
      OR: [
        { entityId: incidentId },
        { after: { path: ['newIncidentId'], equals: incidentId } },
        { after: { path: ['mergedId'], equals: incidentId } },
      ],
    },
    orderBy: { seq: 'asc' },
    select: { at: true, actorId: true, actorName: true, action: true, entityId: true, before: true, after: true },
  });
}

/** The audit log page's filters (built in log.ts). */
export interface AuditLogWhere {
  action?: string;
  entityType?: string;
  entityIdPrefix?: string;
  actor?: string;
  /**
   * With `actor`: these accounts are matched by id instead of by name (observers, for who sees pseudonyms); a failed
   * sign-in (no account, only the name typed) is matched only by `staffNames`, the non-observer accounts' usernames.
   */
  actorByIds?: { unnamed: string[]; matching: string[]; staffNames: string[] };
  from?: Date;
  to?: Date;
  beforeSeq?: bigint;
}

function actorWhere(actor: string, byIds: AuditLogWhere['actorByIds']) {
  const byName = { actorName: { contains: likeLiteral(actor), mode: 'insensitive' as const } };
  if (!byIds) return byName;
  return {
    OR: [
      {
        AND: [
          byName,
          { OR: [{ actorId: null, NOT: { action: 'login_failed' } }, { actorId: { notIn: byIds.unnamed } }] },
        ],
      },
      { actorId: { in: byIds.matching } },
      { actorId: null, action: 'login_failed', actorName: { in: byIds.staffNames } },
    ],
  };
}

/** Newest first, `take` rows below `beforeSeq`. */
export async function auditLogPage(db: Db, w: AuditLogWhere, take: number) {
  return db.auditEvent.findMany({
    where: {
      ...(w.action ? { action: w.action } : {}),
      ...(w.entityType ? { entityType: w.entityType } : {}),
      ...(w.entityIdPrefix ? { entityId: { startsWith: likeLiteral(w.entityIdPrefix) } } : {}),
      ...(w.actor ? actorWhere(w.actor, w.actorByIds) : {}),
      ...(w.from || w.to ? { at: { ...(w.from ? { gte: w.from } : {}), ...(w.to ? { lt: w.to } : {}) } } : {}),
      ...(w.beforeSeq !== undefined ? { seq: { lt: w.beforeSeq } } : {}),
    },
    orderBy: { seq: 'desc' },
    take,
    select: {
      seq: true,
      at: true,
      actorId: true,
      actorName: true,
      action: true,
      entityType: true,
      entityId: true,
      before: true,
      after: true,
    },
  });
}

/** When each of the given incidents was last set to verified (incidents never verified are left out). */
export async function lastVerifiedAt(db: Db, incidentIds: string[]): Promise<Map<string, Date>> {
  const rows = await latestRowsWhere(db, 'incident', incidentIds, 'incident_state_changed', 'state', 'verified');
  return new Map(rows.map((r) => [r.entityId, r.at]));
}

/** The latest row recording `action` on each of some entities whose `after` has `key` = `value`. */
export async function latestRowsWhere(
  db: Db,
  entityType: string,
  entityIds: string[],
  action: string,
  key: string,
  value: string,
): Promise<Array<{ entityId: string; at: Date; after: unknown }>> {
  if (entityIds.length === 0) return [];
  return db.$queryRaw`
    SELECT DISTINCT ON ("entityId") "entityId", at, after FROM "AuditEvent"
    WHERE "entityType" = ${entityType} AND "entityId" = ANY(${entityIds}::text[]) AND action = ${action}
      AND after->>${key} = ${value}
    ORDER BY "entityId", seq DESC`;
}
