// Incidents a late report tied together (dedup's merge decision, queued by the pipeline): merged through the same
// path a reviewer's merge takes, so the move is audited, shows in the history and can be undone by a split. Never
// against a reviewer: incidents a reviewer separated stay apart, and one already merged away is left as it is.
import { Conflict, NotFound } from '../errors.ts';
import { mergeIncidents } from './merge.ts';
import type { Actor, ReviewDeps } from './deps.ts';
import { separated, survivorsOf } from './repository.ts';

/** The actor automatic merges are audited under. */
export const DEDUP_ACTOR: Actor = { id: null, username: 'dedup' };

export interface TieOutcome {
  merged: string[];
  skipped: Array<{ id: string; reason: string }>;
}

export async function mergeTiedIncidents(
  deps: ReviewDeps,
  incidentId: string,
  otherIds: string[],
  reportId: string,
): Promise<TieOutcome> {
  const out: TieOutcome = { merged: [], skipped: [] };
  // The incidents may have been merged since the report tied them (by a reviewer, or by another tie): the tie
  // holds between where they live now.
  const now = await survivorsOf(deps.db, [incidentId, ...otherIds]);
  const target = now.get(incidentId)!;
  for (const original of [...new Set(otherIds)].sort()) {
    const other = now.get(original)!;
    if (other === target) continue;
    if ((await separated(deps.db, target, other)) || (await separated(deps.db, incidentId, original))) {
      out.skipped.push({ id: other, reason: 'a reviewer separated them' });
      continue;
    }
    try {
      await mergeIncidents(deps, DEDUP_ACTOR, target, other, { why: `report ${reportId} matched both` });
      out.merged.push(other);
    } catch (err) {
      // Merged away or gone since the report was processed: nothing left to tie (a later job follows the survivor).
      if (!(err instanceof Conflict) && !(err instanceof NotFound)) throw err;
      out.skipped.push({ id: other, reason: err.message });
    }
  }
  return out;
}
