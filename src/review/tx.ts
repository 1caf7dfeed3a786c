// What every review action shares: its dependencies, the acting user, row locks and the audit row.
import libya from '../agreements/libya-2020.json' with { type: 'json' };
import { appendAudit, type AuditAction } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, Prisma } from '../db/client.ts';
import { Conflict, NotFound } from '../errors.ts';
import type { IncidentStateName } from './filters.ts';
import { incidentSummary, summarySelect } from './view.ts';

export type Tx = Prisma.TransactionClient;
export interface ReviewDeps { db: Db; clock: Clock; termIds: readonly string[] }
/** Who acts: a person, or the system (id null) for automatic steps such as dedup's merges. */
export interface Actor { id: string | null; username: string }

export const AGREEMENT_TERM_IDS: readonly string[] = libya.terms.map((t) => t.id);

export interface LockedIncident {
  id: string; state: IncidentStateName; assigneeId: string | null; terms: string[]; stance: string | null;
  correction: unknown; mergedIntoId: string | null; reportCount: number;
}

/**
 * Locks incidents for the rest of the transaction, in id order so two reviewers merging the same pair
 * in opposite directions wait for each other instead of deadlocking. Merged-away incidents are a conflict:
 * the reviewer is looking at a stale page.
 */
export async function lockIncidents(tx: Tx, ids: string[]): Promise<Map<string, LockedIncident>> {
  const sorted = [...new Set(ids)].sort();
  const rows = await tx.$queryRaw<LockedIncident[]>`
    SELECT id::text, state::text AS state, "assigneeId"::text AS "assigneeId", terms, stance::text AS stance,
           correction, "mergedIntoId"::text AS "mergedIntoId", "reportCount"
    FROM "Incident" WHERE id = ANY(${sorted}::uuid[]) ORDER BY id FOR UPDATE`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of sorted) {
    const row = byId.get(id);
    if (!row) throw new NotFound('incident');
    if (row.mergedIntoId) throw new Conflict(`incident ${id} was merged into ${row.mergedIntoId}`, { mergedIntoId: row.mergedIntoId });
  }
  return byId;
}

export async function lockIncident(tx: Tx, id: string): Promise<LockedIncident> {
  return (await lockIncidents(tx, [id])).get(id)!;
}

export async function audit(tx: Tx, clock: Clock, actor: Actor, action: AuditAction, incidentId: string, before: unknown, after: unknown) {
  await appendAudit(tx, { actorId: actor.id, actorName: actor.username, action, entityType: 'incident', entityId: incidentId, before, after }, clock);
}

export async function readSummary(tx: Tx | Db, id: string) {
  return incidentSummary(await tx.incident.findUniqueOrThrow({ where: { id }, select: summarySelect }));
}
