// Incidents and reports matching the queue's filters, read in keyset batches by id (the queries are the
// incidents' and reports' repositories'), so an export of any size holds one batch in memory at a time.
import type { Db } from '../db/client.ts';
import { incidentWhere, type QueueFilters } from '../incidents/filters.ts';
import { exportIncidentBatch, type ExportIncident } from '../incidents/repository.ts';
import { exportReportBatch, type ExportReport } from '../reports/repository.ts';

export type { ExportIncident, ExportReport };

export const BATCH = 1000;

async function* batches<T extends { id: string }>(next: (afterId: string | null) => Promise<T[]>): AsyncGenerator<T> {
  let after: string | null = null;
  for (;;) {
    const rows = await next(after);
    yield* rows;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

export function incidentRows(db: Db, f: QueueFilters, tz: string): AsyncGenerator<ExportIncident> {
  const where = incidentWhere(f, tz);
  return batches((after) => exportIncidentBatch(db, where, after, BATCH));
}

/** The reports behind the incidents the same filters select: what a reviewer sees in those incidents. */
export function reportRows(db: Db, f: QueueFilters, tz: string): AsyncGenerator<ExportReport> {
  const where = incidentWhere(f, tz);
  return batches((after) => exportReportBatch(db, where, after, BATCH));
}
