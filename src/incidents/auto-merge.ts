// Incidents a late report tied together (dedup's merge decision, queued by the pipeline): merged through the same
// steps a reviewer's merge takes (mergeInTransaction), so the move is audited, shows in the history and can be undone
// by a split. Never against a reviewer: incidents a reviewer separated stay apart (checked under the merge's own
// lock), and one already merged away is left as it is.
// A worker passes its node-postgres pool: ties are frequent where reports are dense, and each merge is a dozen
// statements that cost Prisma's client 1-2 ms of CPU apiece (src/db/pg-tx.ts).
import type pg from 'pg';
import { Conflict, NotFound } from '../errors.ts';
import type { SqlTx } from '../db/client.ts';
import { inPgTransaction } from '../db/pg-tx.ts';
import { retryOnDeadlock } from '../db/retry.ts';
import { announceMerge, mergeInTransaction } from './merge.ts';
import type { Actor, ReviewDeps } from './deps.ts';
import { survivorsIn } from './repository.ts';
import { MAX_INCIDENT_SPAN_H } from '../dedup/similarity.ts';

/** The actor automatic merges are audited under. */
export const DEDUP_ACTOR: Actor = { id: null, username: 'dedup' };

// Tries of one pair whose incidents merges racing it keep moving (each failed try saw a merge commit).
const MAX_ATTEMPTS = 5;

export interface TieOutcome {
  merged: string[];
  skipped: Array<{ id: string; reason: string }>;
}

export async function mergeTiedIncidents(
  deps: ReviewDeps & { pool?: pg.Pool },
  incidentId: string,
  otherIds: string[],
  reportId: string,
): Promise<TieOutcome> {
  const out: TieOutcome = { merged: [], skipped: [] };
  const inTransaction = <T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> =>
    deps.pool ? inPgTransaction(deps.pool, fn) : deps.db.$transaction(fn);
  for (const original of [...new Set(otherIds)].sort()) {
    for (let attempt = 1; ; attempt++) {
      let pair: [string, string] | null = null;
      try {
        // A deadlock victim (a merge takes incidents then reports, the pipeline a report then its incident) rolled
        // back whole and is run again here rather than failing the job.
        const result = await retryOnDeadlock(() =>
          inTransaction(async (tx) => {
            // The incidents may have been merged since the report tied them (by a reviewer, or by another tie): the tie
            // holds between where they live now. A merge committing after this read is a Conflict at the lock below.
            const now = await survivorsIn(tx, [incidentId, original]);
            const target = now.get(incidentId)!;
            const other = now.get(original)!;
            pair = [target, other];
            if (target === other) return 'same' as const;
            return mergeInTransaction(tx, deps.clock, DEDUP_ACTOR, target, other, {
              why: `report ${reportId} matched both`,
              unlessSeparated: [
                [target, other],
                [incidentId, original],
              ],
              // Dedup checked the span when it decided the tie, against the incidents as they were then; other ties
              // (queued meanwhile, or in the same batch) may have grown either since. Checked again under the lock.
              withinHours: MAX_INCIDENT_SPAN_H,
              // No human decided this: a rerun (a new model) may move these reports again, as any it joined.
              pin: false,
            });
          }),
        );
        const [target, other] = pair!;
        if (result === 'merged') {
          out.merged.push(other);
          announceMerge(deps, DEDUP_ACTOR, target, other);
        } else if (result === 'separated') out.skipped.push({ id: other, reason: 'a reviewer separated them' });
        else if (result === 'too long')
          out.skipped.push({ id: other, reason: `the incident would span more than ${MAX_INCIDENT_SPAN_H} h` });
        break;
      } catch (err) {
        if (!(err instanceof Conflict) && !(err instanceof NotFound)) throw err;
        // A Conflict: a merge of one of the two committed while this one waited for its lock (another tie job, or a
        // reviewer). The tie still holds between where they live now, and no later job will carry it out: look again.
        // Each retry follows a merge that committed, so a few suffice.
        if (err instanceof Conflict && attempt < MAX_ATTEMPTS) continue;
        // Gone since the report was processed: nothing left to tie.
        out.skipped.push({ id: (pair as [string, string] | null)?.[1] ?? original, reason: err.message });
        break;
      }
    }
  }
  return out;
}
