// One incident as the incident page shows it: its summary, the automatic result beside any correction,
// every member report, the comments and the incident's audit history.
import { historyOf } from '../audit/repository.ts';
import type { Db } from '../db/client.ts';
import { NotFound } from '../errors.ts';
import { reportsOfIncident } from '../reports/repository.ts';
import { reportView } from '../reports/view.ts';
import { computeIncidentAggregate, type AggregateMember } from './aggregate.ts';
import { commentsOf, findIncidentForPage } from './repository.ts';
import { incidentSummary } from './view.ts';

export async function getIncidentDetail(db: Db, id: string) {
  const incident = await findIncidentForPage(db, id);
  if (!incident) throw new NotFound('incident');
  const [reports, comments, history] = await Promise.all([
    reportsOfIncident(db, id),
    commentsOf(db, id),
    historyOf(db, 'incident', id),
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
