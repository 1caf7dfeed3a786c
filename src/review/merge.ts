// A reviewer's merge and split. Reports only ever move between incidents inside one transaction, so no
// report is lost or left without an incident; moved reports are pinned so automatic dedup leaves them be.
import { z } from '../http/zod.ts';
import { Invalid } from '../errors.ts';
import { recomputeIncident } from '../incidents/aggregate.ts';
import { audit, lockIncident, lockIncidents, readSummary, type Actor, type ReviewDeps } from './tx.ts';

export const MergeInput = z.object({ otherId: z.string().uuid() }).strict().openapi('MergeInput');
export const SplitInput = z.object({ reportIds: z.array(z.string().uuid()).min(1).max(500) }).strict().openapi('SplitInput');

const aggregateOf = (s: Awaited<ReturnType<typeof readSummary>>) =>
  ({ state: s.state, terms: s.terms, stance: s.stance, reportCount: s.reportCount, severity: s.severity, placeName: s.placeName });

/** Merges `otherId` into `targetId`: its reports and comments move, and it points at the survivor. */
export async function mergeIncidents(deps: ReviewDeps, actor: Actor, targetId: string, otherId: string, opts: { why?: string } = {}) {
  if (targetId === otherId) throw new Invalid([{ field: 'otherId', reason: 'an incident cannot be merged into itself' }]);
  return deps.db.$transaction(async (tx) => {
    await lockIncidents(tx, [targetId, otherId]);
    const [targetBefore, otherBefore] = await Promise.all([readSummary(tx, targetId), readSummary(tx, otherId)]);
    const moved = await tx.report.findMany({ where: { incidentId: otherId }, select: { id: true }, orderBy: { id: 'asc' } });
    await tx.report.updateMany({ where: { incidentId: otherId }, data: { incidentId: targetId, incidentPinned: true } });
    // Comments follow the reports: the discussion stays visible on the incident that remains in the queue.
    await tx.comment.updateMany({ where: { incidentId: otherId }, data: { incidentId: targetId } });
    // Earlier merges into `other` now point straight at the survivor, so no chain has to be followed.
    await tx.incident.updateMany({ where: { mergedIntoId: otherId }, data: { mergedIntoId: targetId } });
    await tx.incident.update({ where: { id: otherId }, data: { mergedIntoId: targetId } });
    await recomputeIncident(tx, targetId);
    await recomputeIncident(tx, otherId);
    const after = await readSummary(tx, targetId);
    await audit(tx, deps.clock, actor, 'incident_merged', targetId,
      { target: aggregateOf(targetBefore), other: { id: otherId, ...aggregateOf(otherBefore) } },
      { target: aggregateOf(after), mergedId: otherId, movedReportIds: moved.map((r) => r.id), ...(opts.why ? { why: opts.why } : {}) });
    return after;
  });
}

/** Moves the given reports of `sourceId` into a new incident and records that the two are distinct. */
export async function splitReports(deps: ReviewDeps, actor: Actor, sourceId: string, reportIds: string[]) {
  const ids = [...new Set(reportIds)].sort();
  return deps.db.$transaction(async (tx) => {
    const source = await lockIncident(tx, sourceId);
    const reports = await tx.report.findMany({ where: { id: { in: ids } }, select: { id: true, incidentId: true, observedAt: true } });
    const foreign = ids.filter((id) => reports.find((r) => r.id === id)?.incidentId !== sourceId);
    if (foreign.length) throw new Invalid([{ field: 'reportIds', reason: `not reports of this incident: ${foreign.join(', ')}` }]);
    if (ids.length >= source.reportCount) {
      const total = await tx.report.count({ where: { incidentId: sourceId } });
      if (ids.length >= total) throw new Invalid([{ field: 'reportIds', reason: 'leave at least one report in the incident' }]);
    }
    const sourceBefore = await readSummary(tx, sourceId);
    const times = reports.map((r) => r.observedAt.getTime());
    // Placeholder span; recomputeIncident fills in every aggregate from the moved reports right after.
    const created = await tx.incident.create({
      data: { firstObservedAt: new Date(Math.min(...times)), lastObservedAt: new Date(Math.max(...times)), createdAt: deps.clock.now() },
      select: { id: true },
    });
    await tx.report.updateMany({ where: { id: { in: ids } }, data: { incidentId: created.id, incidentPinned: true } });
    // Stored with the smaller id first, so one lookup per ordered pair finds it whichever side asks.
    const [a, b] = [sourceId, created.id].sort() as [string, string];
    await tx.incidentSeparation.create({ data: { incidentA: a, incidentB: b, createdAt: deps.clock.now() } });
    await recomputeIncident(tx, sourceId);
    await recomputeIncident(tx, created.id);
    const [sourceAfter, split] = await Promise.all([readSummary(tx, sourceId), readSummary(tx, created.id)]);
    await audit(tx, deps.clock, actor, 'report_split', sourceId,
      { source: aggregateOf(sourceBefore) },
      { source: aggregateOf(sourceAfter), newIncidentId: created.id, newIncident: aggregateOf(split), reportIds: ids });
    return split;
  });
}
