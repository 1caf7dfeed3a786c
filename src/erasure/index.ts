// Erasure: a report's narrative, place and files removed on an admin's request or by the retention rules, leaving a
// tombstone (src/erasure/repository.ts) and an audit row. Audit rows are never rewritten: the chain still verifies.
// The incident the report belonged to is recomputed from the reports it has left; digests, exports and the queue
// read only live reports and incidents that still have one.
import { rm, stat } from 'node:fs/promises';
import { z } from 'zod';
import { appendAudit } from '../audit/index.ts';
import { knownHashes } from '../attachments/repository.ts';
import { thumbnailPath } from '../attachments/service.ts';
import { forgetReportUploads } from '../uploads/repository.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import { recomputeIncident } from '../incidents/aggregate.ts';
import { deleteReport, lockReportForErasure } from '../reports/repository.ts';
import type { FileStore } from '../storage/files.ts';
import { ORPHAN_GRACE_MS } from '../storage/sweep.ts';
import { findTombstone, insertTombstone, reportsDueForErasure, type Tombstone } from './repository.ts';
import type { IncidentEventSink } from '../live/events.ts';

export { tombstonesOfIncidents, type Tombstone } from './repository.ts';

export const ErasureInput = z
  .object({ reason: z.string().trim().min(3).max(1000) })
  .strict()
  .meta({ id: 'ErasureInput' });

export const ErasureView = z
  .object({
    reportId: z.string().uuid(),
    incidentId: z.string().uuid().nullable(),
    erasedAt: z.string(),
    erasedById: z.string().uuid().nullable(),
    trigger: z.enum(['request', 'retention']),
    reason: z.string(),
    files: z.number().int(),
  })
  .meta({ id: 'Erasure' });

export interface ErasureDeps {
  db: Db;
  clock: Clock;
  files: FileStore;
  /** Told when an erasure changed an incident (live pages). */
  events?: IncidentEventSink;
}

/** A person (an admin's request) or the retention job (id null). */
export interface Eraser {
  id: string | null;
  username: string;
}

export const erasureView = (t: Tombstone): z.infer<typeof ErasureView> => ({
  reportId: t.reportId,
  incidentId: t.incidentId,
  erasedAt: t.erasedAt.toISOString(),
  erasedById: t.erasedById,
  trigger: t.trigger as 'request' | 'retention',
  reason: t.reason,
  files: (t.files as unknown[]).length,
});

/**
 * Erases one report. Safe to run twice: an erased report answers with its tombstone (`created` false). Files no other
 * report cites are removed from storage after the commit; one touched within the sweep's grace period (the same bytes
 * being uploaded again right now) is left for the orphan sweep, which removes it once it is clearly abandoned.
 */
export async function eraseReport(
  deps: ErasureDeps,
  actor: Eraser,
  reportId: string,
  reason: string,
  trigger: 'request' | 'retention' = 'request',
): Promise<{ tombstone: Tombstone; created: boolean }> {
  const done = await deps.db.$transaction(async (tx) => {
    const before = await findTombstone(tx, reportId);
    if (before) return { tombstone: before, created: false, incidentId: null };
    const report = await lockReportForErasure(tx, reportId);
    if (!report) throw new NotFound('report');
    const now = deps.clock.now();
    const files = report.attachments.map((a) => ({ sha256: a.sha256, sizeBytes: a.sizeBytes, mime: a.mime }));
    const tombstone = await insertTombstone(tx, {
      reportId,
      observerId: report.observerId,
      clientId: report.clientId,
      incidentId: report.incidentId,
      receivedAt: report.receivedAt,
      observedAt: report.observedAt,
      contentHash: report.contentHash,
      files,
      reason,
      trigger,
      erasedById: actor.id,
      erasedAt: now,
    });
    await deleteReport(tx, reportId);
    await forgetReportUploads(tx, reportId);
    if (report.incidentId) await recomputeIncident(tx, report.incidentId);
    await appendAudit(
      tx,
      {
        actorId: actor.id,
        actorName: actor.username,
        action: 'report_erased',
        entityType: 'report',
        entityId: reportId,
        after: { trigger, reason, incidentId: report.incidentId, contentHash: report.contentHash, files },
      },
      deps.clock,
    );
    return { tombstone, created: true, incidentId: report.incidentId };
  });
  if (done.created && done.incidentId)
    deps.events?.([{ incidentId: done.incidentId, kind: 'erased', actorId: actor.id }]);
  if (done.created)
    await removeUnreferenced(
      deps,
      (done.tombstone.files as Array<{ sha256: string }>).map((f) => f.sha256),
    );
  return done;
}

async function removeUnreferenced(deps: ErasureDeps, hashes: string[]): Promise<void> {
  if (!hashes.length) return;
  const cited = await knownHashes(deps.db, hashes);
  for (const sha256 of new Set(hashes)) {
    if (cited.has(sha256)) continue;
    const file = deps.files.pathOf(sha256);
    const touched = await stat(file).then(
      (s) => s.mtimeMs,
      () => null,
    );
    // File times are the disk's wall clock, so they are compared with it, not with the injected clock.
    if (touched !== null && Date.now() - touched < ORPHAN_GRACE_MS) continue;
    await rm(file, { force: true });
    await rm(thumbnailPath(deps.files, sha256), { force: true });
  }
}

export interface RetentionRules {
  /** Days a report of a rejected incident is kept after the incident's last change; null keeps it. */
  rejectedDays: number | null;
  /** Days a report unrelated to the agreement (terms "none") is kept after receipt; null keeps it. */
  unrelatedDays: number | null;
}

/** One retention pass: erases every report the rules say is due, a batch at a time. Returns how many. */
export async function applyRetention(deps: ErasureDeps, rules: RetentionRules, batch = 200): Promise<number> {
  const now = deps.clock.now().getTime();
  const cut = (days: number | null) => (days === null ? null : new Date(now - days * 86_400_000));
  const cuts = { rejectedBefore: cut(rules.rejectedDays), unrelatedBefore: cut(rules.unrelatedDays) };
  if (!cuts.rejectedBefore && !cuts.unrelatedBefore) return 0;
  let erased = 0;
  for (;;) {
    const due = await reportsDueForErasure(deps.db, cuts, batch);
    for (const { id, rule } of due) {
      const days = rule === 'rejected' ? rules.rejectedDays : rules.unrelatedDays;
      const why =
        rule === 'rejected'
          ? `retention: incident rejected more than ${days} days ago`
          : `retention: unrelated to the agreement, received more than ${days} days ago`;
      const r = await eraseReport(deps, { id: null, username: 'retention' }, id, why, 'retention').catch((err) => {
        if (err instanceof NotFound) return { created: false }; // erased meanwhile by someone else
        throw err;
      });
      if (r.created) erased += 1;
    }
    if (due.length < batch) return erased;
  }
}
