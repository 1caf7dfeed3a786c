// Incidents and reports matching the queue's filters, read in keyset batches by id so an export of any
// size holds one batch in memory at a time.
import type { Db, Prisma } from '../db/client.ts';
import { incidentWhere, type QueueFilters } from '../incidents/filters.ts';

export const BATCH = 1000;

const incidentSelect = {
  id: true, state: true, terms: true, stance: true, parties: true, confidence: true, severity: true, lat: true, lon: true,
  placeName: true, firstObservedAt: true, lastObservedAt: true, reportCount: true, languages: true, summary: true,
  correction: true, assignee: { select: { username: true } },
} as const;

const reportSelect = {
  id: true, incidentId: true, observerId: true, source: true, observedAt: true, receivedAt: true, lat: true, lon: true,
  accuracyM: true, placeName: true, resolvedPlace: true, resolvedLat: true, resolvedLon: true, narrative: true,
  partyAlleged: true, casualties: true, language: true, terms: true, stance: true, confidence: true, correction: true,
  incident: { select: { state: true } }, _count: { select: { attachments: true } },
} as const;

export type ExportIncident = Prisma.IncidentGetPayload<{ select: typeof incidentSelect }>;
export type ExportReport = Prisma.ReportGetPayload<{ select: typeof reportSelect }>;

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
  return batches((after) => db.incident.findMany({
    where: after ? { AND: [where, { id: { gt: after } }] } : where,
    orderBy: { id: 'asc' }, take: BATCH, select: incidentSelect,
  }));
}

/** The reports behind the incidents the same filters select: what a reviewer sees in those incidents. */
export function reportRows(db: Db, f: QueueFilters, tz: string): AsyncGenerator<ExportReport> {
  const where: Prisma.ReportWhereInput = { incident: incidentWhere(f, tz) };
  return batches((after) => db.report.findMany({
    where: after ? { AND: [where, { id: { gt: after } }] } : where,
    orderBy: { id: 'asc' }, take: BATCH, select: reportSelect,
  }));
}
