// What every review action shares: its dependencies, the acting user and the audit row.
import { appendAudit, type AuditAction } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db, SqlTx } from '../db/client.ts';
import type { IncidentEventSink } from '../live/events.ts';

export interface ReviewDeps {
  db: Db;
  clock: Clock;
  termIds: readonly string[];
  /** Told of each committed change (live queue updates); the action does not wait for it. */
  events?: IncidentEventSink;
}
/** Who acts: a person, or the system (id null) for automatic steps such as dedup's merges. */
export interface Actor {
  id: string | null;
  username: string;
}

export async function audit(
  tx: SqlTx,
  clock: Clock,
  actor: Actor,
  action: AuditAction,
  incidentId: string,
  before: unknown,
  after: unknown,
) {
  await appendAudit(
    tx,
    {
      actorId: actor.id,
      actorName: actor.username,
      action,
      entityType: 'incident',
      entityId: incidentId,
      before,
      after,
    },
    clock,
  );
}
