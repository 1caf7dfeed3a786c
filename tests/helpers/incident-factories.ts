// Incidents and processed reports written straight to the database: review, export and digest tests need
// many of them in known shapes, faster than the intake + pipeline could make them.
import { createHash, randomUUID } from 'node:crypto';
import type { Db, Prisma } from '../../src/db/client.ts';

type IncidentFields = Partial<Prisma.IncidentUncheckedCreateInput>;
type ReportFields = Partial<Prisma.ReportUncheckedCreateInput>;

export function incidentRow(o: IncidentFields = {}): Prisma.IncidentUncheckedCreateInput {
  return {
    id: randomUUID(),
    state: 'new',
    terms: ['hostilities'],
    stance: 'violation',
    parties: ['LAAF'],
    confidence: 0.8,
    severity: 3,
    lat: 31.2,
    lon: 16.6,
    placeName: 'Sirte',
    firstObservedAt: new Date('2020-11-14T03:40:00Z'),
    lastObservedAt: new Date('2020-11-14T04:10:00Z'),
    reportCount: 1,
    languages: ['en'],
    summary: 'Violation: Hostilities near Sirte',
    ...o,
  };
}

export function reportRow(observerId: string, o: ReportFields = {}): Prisma.ReportUncheckedCreateInput {
  const narrative = o.narrative ?? 'Shelling heard east of Sirte at dawn.';
  return {
    id: randomUUID(),
    clientId: randomUUID(),
    observerId,
    contentHash: createHash('sha256').update(randomUUID()).digest('hex'),
    observedAt: new Date('2020-11-14T03:40:00Z'),
    lat: 31.2,
    lon: 16.6,
    placeName: 'Sirte',
    narrative,
    partyAlleged: 'LAAF',
    status: 'processed',
    language: 'en',
    terms: ['hostilities'],
    stance: 'violation',
    confidence: 0.8,
    classification: { terms: [{ id: 'hostilities', confidence: 0.8, evidence: [{ start: 0, end: 8, text: narrative.slice(0, 8) }] }], stance: 'violation' },
    ...o,
  };
}

export async function insertIncidents(db: Db, rows: IncidentFields[]): Promise<string[]> {
  const data = rows.map((o) => incidentRow(o));
  await db.incident.createMany({ data });
  return data.map((d) => d.id!);
}

/** An incident holding `reports` (one per entry), its reportCount set to match. */
export async function insertIncidentWithReports(db: Db, observerId: string, reports: ReportFields[], o: IncidentFields = {}) {
  const [id] = await insertIncidents(db, [{ ...o, reportCount: reports.length }]);
  const data = reports.map((r) => reportRow(observerId, { ...r, incidentId: id }));
  await db.report.createMany({ data });
  return { id: id!, reportIds: data.map((d) => d.id!) };
}
