// One incident as the incident page shows it: its summary, the automatic result beside any correction,
// every member report, the comments and the incident's audit history.
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import { computeIncidentAggregate, type AggregateMember } from './aggregate.ts';
import { reportView } from '../reports/view.ts';
import { incidentSummary, summarySelect } from './view.ts';

export async function getIncidentDetail(db: Db, id: string) {
  const incident = await db.incident.findUnique({ where: { id }, select: { ...summarySelect, mergedIntoId: true } });
  if (!incident) throw new NotFound('incident');
  const [reports, comments, history] = await Promise.all([
    db.report.findMany({
      where: { incidentId: id },
      orderBy: [{ observedAt: 'asc' }, { id: 'asc' }],
      include: { attachments: { orderBy: [{ createdAt: 'asc' }, { originalName: 'asc' }] } },
    }),
    db.comment.findMany({
      where: { incidentId: id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, body: true, createdAt: true, author: { select: { id: true, username: true } } },
    }),
    db.auditEvent.findMany({
      where: { entityType: 'incident', entityId: id },
      orderBy: { seq: 'asc' },
      select: { at: true, actorName: true, action: true, before: true, after: true },
    }),
  ]);
  // What the machine alone would say, so the page can show it beside the reviewer's correction.
  const automatic = reports.length ? computeIncidentAggregate(reports as unknown as AggregateMember[], null) : null;
  return {
    ...incidentSummary(incident),
    mergedIntoId: incident.mergedIntoId,
    correction: incident.correction ?? null,
    automatic: automatic ? { terms: automatic.terms, stance: automatic.stance, confidence: automatic.confidence } : null,
    reports: reports.map(reportView),
    comments: comments.map((c) => ({ id: c.id, author: c.author, body: c.body, createdAt: c.createdAt.toISOString() })),
    history: history.map((h) => ({ at: h.at.toISOString(), actorName: h.actorName, action: h.action, before: h.before, after: h.after })),
  };
}
