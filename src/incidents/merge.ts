// A reviewer's merge and split. Reports only ever move between incidents inside one transaction, so no
// report is lost or left without an incident; reports a reviewer moves are pinned so automatic dedup leaves them be
// (dedup's own tie merges, which take the same steps, leave each report's pin as it was).
import { z } from 'zod';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import { mergeAggregates, recomputeIncident } from './aggregate.ts';
import { countReportsOfIncident, findReportsForSplit, moveAllReports, moveReports } from '../reports/repository.ts';
import { audit, type Actor, type ReviewDeps } from './deps.ts';
import { enqueue } from '../outbox/repository.ts';
import { retryOnDeadlock } from '../db/retry.ts';
import { EVENTS } from '../queue/names.ts';
import {
  incidentIdsStartingWith,
  insertSeparation,
  insertSplitIncident,
  lockForMerge,
  lockIncident,
  mergeInto,
  readMergedSide,
  readSummary,
  type MergeSide,
} from './repository.ts';
import type { SqlTx } from '../db/client.ts';
import type { Clock } from '../clock.ts';

// The pages show incidents by the first 8 characters of their id ("#4f2a0c1d"): merge takes that, or the full id.
const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MergeInput = z
  .object({
    otherId: z
      .string()
      .trim()
      .transform((v) => v.replace(/^#/, '').toLowerCase())
      .pipe(
        z
          .string()
          .regex(/^[0-9a-f]{8}(?:-[0-9a-f-]{0,27})?$/, 'an incident id: the full id, or its first 8 characters')
          .max(36),
      )
      .meta({ description: 'The other incident: its full id, or the short id the pages show (first 8 characters)' }),
  })
  .strict()
  .meta({ id: 'MergeInput' });

/** The one incident a full or short id names: 404 when none does, 409 when a short id names several. */
export async function resolveIncidentId(deps: Pick<ReviewDeps, 'db'>, id: string): Promise<string> {
  if (FULL_ID.test(id)) return id;
  const found = await incidentIdsStartingWith(deps.db, id);
  if (found.length === 0) throw new NotFound('incident');
  if (found.length > 1)
    throw new Conflict(`#${id} names more than one incident: give more of its id, or the full id`, {
      reason: 'ambiguous_id',
      id,
    });
  return found[0]!;
}
export const SplitInput = z
  .object({ reportIds: z.array(z.string().uuid()).min(1).max(500) })
  .strict()
  .meta({ id: 'SplitInput' });

const aggregateOf = (s: Pick<MergeSide, 'state' | 'terms' | 'stance' | 'reportCount' | 'severity' | 'placeName'>) => ({
  state: s.state,
  terms: s.terms,
  stance: s.stance,
  reportCount: s.reportCount,
  severity: s.severity,
  placeName: s.placeName,
});

/** Merges `otherId` into `targetId`: its reports and comments move, and it points at the survivor. */
export async function mergeIncidents(
  deps: ReviewDeps,
  actor: Actor,
  targetId: string,
  otherId: string,
  opts: { why?: string } = {},
) {
  if (targetId === otherId)
    throw new Invalid([{ field: 'otherId', reason: 'an incident cannot be merged into itself' }]);
  // A merge takes incidents and then reports, the workers a report and then its incident: a deadlock victim rolled
  // back whole and is run again (src/db/retry.ts) rather than answered with a 503.
  const merged = await retryOnDeadlock(() =>
    deps.db.$transaction(async (tx) => {
      await mergeInTransaction(tx, deps.clock, actor, targetId, otherId, opts);
      return readSummary(tx, targetId);
    }),
  );
  announceMerge(deps, actor, targetId, otherId);
  return merged;
}

/** Live pages hear of a committed merge on both incidents. */
export function announceMerge(deps: Pick<ReviewDeps, 'events'>, actor: Actor, targetId: string, otherId: string) {
  deps.events?.([
    { incidentId: targetId, kind: 'merged', actorId: actor.id },
    { incidentId: otherId, kind: 'merged', actorId: actor.id },
  ]);
}

/**
 * The merge inside the caller's transaction: a Prisma one (a reviewer's request) or a worker's plain node-postgres
 * one (dedup's tie merges, src/incidents/auto-merge.ts), so every statement is raw SQL. `unlessSeparated`: the pairs
 * a reviewer may have declared distinct; if any is, nothing changes and 'separated' is returned (checked under the
 * same lock the merge takes, so a split committing meanwhile is seen). `withinHours`: the longest the merged incident
 * may span (first to last observation of the two incidents' reports, as they are under the lock); if longer, nothing
 * changes and 'too long' is returned. `pin` (default true): the moved reports are pinned to the survivor, as a reviewer's
 * decision is; dedup's merges pass false.
 */
export async function mergeInTransaction(
  tx: SqlTx,
  clock: Clock,
  actor: Actor,
  targetId: string,
  otherId: string,
  opts: { why?: string; unlessSeparated?: Array<[string, string]>; withinHours?: number; pin?: boolean } = {},
): Promise<'merged' | 'separated' | 'too long'> {
  const { sides, separated } = await lockForMerge(tx, [targetId, otherId], opts.unlessSeparated);
  if (opts.unlessSeparated && separated) return 'separated';
  const targetBefore = sides.get(targetId)!;
  const otherBefore = sides.get(otherId)!;
  if (opts.withinHours !== undefined && spanHours([targetBefore, otherBefore]) > opts.withinHours) return 'too long';
  const moved = await moveAllReports(tx, otherId, targetId, opts.pin ?? true);
  await mergeInto(tx, otherId, targetId);
  // The survivor's tally takes the other's: no member is read again, however large the incidents.
  await mergeAggregates(tx, targetId, otherId, actor.id, [...sides.values()]);
  const after = await readMergedSide(tx, targetId);
  await audit(
    tx,
    clock,
    actor,
    'incident_merged',
    targetId,
    { target: aggregateOf(targetBefore), other: { id: otherId, ...aggregateOf(otherBefore) } },
    { target: aggregateOf(after), mergedId: otherId, movedReportIds: moved, ...(opts.why ? { why: opts.why } : {}) },
  );
  await enqueue(tx, EVENTS.incidentMerged, {
    incidentId: targetId,
    mergedId: otherId,
    movedReports: moved.length,
    by: actor.username,
  });
  return 'merged';
}

// An incident without reports keeps its last span (aggregate.ts) but adds nothing to the merged one's.
function spanHours(sides: MergeSide[]): number {
  const held = sides.filter((s) => s.reportCount > 0);
  if (!held.length) return 0;
  const first = Math.min(...held.map((s) => s.firstObservedAt.getTime()));
  const last = Math.max(...held.map((s) => s.lastObservedAt.getTime()));
  return (last - first) / 3_600_000;
}

/** Moves the given reports of `sourceId` into a new incident and records that the two are distinct. */
export async function splitReports(deps: ReviewDeps, actor: Actor, sourceId: string, reportIds: string[]) {
  const ids = [...new Set(reportIds)].sort();
  // Taken in the same order as a merge (incident, then reports), so run again as a deadlock victim, as a merge is.
  const split = await retryOnDeadlock(() =>
    deps.db.$transaction(async (tx) => {
      const source = await lockIncident(tx, sourceId);
      const reports = await findReportsForSplit(tx, ids);
      const foreign = ids.filter((id) => reports.find((r) => r.id === id)?.incidentId !== sourceId);
      if (foreign.length)
        throw new Invalid([{ field: 'reportIds', reason: `not reports of this incident: ${foreign.join(', ')}` }]);
      if (ids.length >= source.reportCount) {
        const total = await countReportsOfIncident(tx, sourceId);
        if (ids.length >= total)
          throw new Invalid([{ field: 'reportIds', reason: 'leave at least one report in the incident' }]);
      }
      const sourceBefore = await readSummary(tx, sourceId);
      const times = reports.map((r) => r.observedAt.getTime());
      // Placeholder span; recomputeIncident fills in every aggregate from the moved reports right after.
      const created = {
        id: await insertSplitIncident(
          tx,
          { first: new Date(Math.min(...times)), last: new Date(Math.max(...times)) },
          deps.clock.now(),
        ),
      };
      await moveReports(tx, ids, created.id);
      await insertSeparation(tx, sourceId, created.id, deps.clock.now());
      await recomputeIncident(tx, sourceId, actor.id);
      await recomputeIncident(tx, created.id, actor.id);
      const [sourceAfter, split] = await Promise.all([readSummary(tx, sourceId), readSummary(tx, created.id)]);
      await audit(
        tx,
        deps.clock,
        actor,
        'report_split',
        sourceId,
        { source: aggregateOf(sourceBefore) },
        {
          source: aggregateOf(sourceAfter),
          newIncidentId: created.id,
          newIncident: aggregateOf(split),
          reportIds: ids,
        },
      );
      await enqueue(tx, EVENTS.incidentCreated, { incidentId: created.id, cause: 'split', splitFrom: sourceId });
      return split;
    }),
  );
  deps.events?.([
    { incidentId: sourceId, kind: 'split', actorId: actor.id },
    { incidentId: split.id, kind: 'opened', actorId: actor.id },
  ]);
  return split;
}
