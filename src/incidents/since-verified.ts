// New reports on a verified incident. The commission's decision stands: a report joining after verification does not
// undo it (no automatic state change, which would silently reverse a vote). Instead the incident carries
// "n new reports since verification" in the queue and on its page, and its history tells each arrival, until a
// reviewer looks again: setting the state (back to verified, or to under review) starts the count afresh.
// Derived on read from the audit chain (when it was last verified) and the reports (when each was received), so the
// pipeline's hot path stays as it is and the figure can never drift from the data it describes.
import type { Db } from '../db/client.ts';
import { lastVerifiedAt } from '../audit/repository.ts';
import { reportsReceivedAfter } from '../reports/repository.ts';

export interface SinceVerification {
  verifiedAt: string;
  reports: Array<{ id: string; receivedAt: string }>;
}

/** For each verified incident among `incidents`: when it was verified, and the reports received since. */
export async function newSinceVerification(
  db: Db,
  incidents: Array<{ id: string; state: string }>,
): Promise<Map<string, SinceVerification>> {
  const verified = incidents.filter((i) => i.state === 'verified').map((i) => i.id);
  const since = await lastVerifiedAt(db, verified);
  const out = new Map<string, SinceVerification>(
    [...since].map(([id, at]) => [id, { verifiedAt: at.toISOString(), reports: [] }]),
  );
  for (const r of await reportsReceivedAfter(db, since))
    out.get(r.incidentId)?.reports.push({ id: r.id, receivedAt: r.receivedAt.toISOString() });
  return out;
}

/** The history rows the arrivals stand for, to be shown among the audit rows in time order. */
export function arrivalRows(incidentId: string, s: SinceVerification | undefined) {
  return (s?.reports ?? []).map((r) => ({
    at: r.receivedAt,
    actorName: null,
    action: 'report_joined',
    entityId: incidentId,
    before: { state: 'verified' },
    after: { reportId: r.id },
  }));
}
