// What an observer hears back about a report: where it stands, in the observer's words rather than the pipeline's
// or the commission's, and the commission's request for more information when there is one.
import type { Db } from '../db/client.ts';
import { latestRowsWhere } from '../audit/repository.ts';
import { findReportPage } from './repository.ts';

export const PROGRESS = [
  'received', // stored, not processed yet (or processing failed: the server's matter, not the observer's)
  'processed', // read by the system, not part of an incident
  'in_incident', // part of an incident nobody has reviewed yet
  'under_review',
  'needs_info',
  'verified',
  'rejected',
] as const;
export type Progress = (typeof PROGRESS)[number];

const REVIEWED = new Set<string>(['under_review', 'needs_info', 'verified', 'rejected']);

export function observerProgress(status: string, incidentState: string | null | undefined): Progress {
  if (incidentState && REVIEWED.has(incidentState)) return incidentState as Progress;
  if (incidentState) return 'in_incident';
  return status === 'processed' ? 'processed' : 'received';
}

export interface InfoRequest {
  note: string | null;
  at: string;
}

/**
 * The open requests for more information of the incidents in `incidentIds` that are waiting for it: the note of the
 * state change that asked (the audit row is where the commission's note is kept).
 */
export async function openInfoRequests(db: Db, incidentIds: string[]): Promise<Map<string, InfoRequest>> {
  const rows = await latestRowsWhere(
    db,
    'incident',
    [...new Set(incidentIds)],
    'incident_state_changed',
    'state',
    'needs_info',
  );
  return new Map(
    rows.map((r) => [r.entityId, { note: (r.after as { note?: string | null }).note ?? null, at: r.at.toISOString() }]),
  );
}

/** An observer's latest reports with where each stands: what the ODK follow-up form offers to answer or add to. */
export async function recentReportsOf(db: Db, observerId: string, limit = 30) {
  const rows = await findReportPage(db, { observerId }, [{ receivedAt: 'desc' }, { id: 'desc' }], limit);
  return rows.map((r) => ({
    id: r.id,
    place: r.placeName ?? r.resolvedPlace,
    observedAt: r.observedAt,
    progress: observerProgress(r.status, r.incident?.state),
  }));
}
