// One incident as the incident page shows it: its summary, the automatic result beside any correction, the first
// page of its member reports (observed order) with a cursor for the rest, the comments and the audit history.
// Members are paged: an incident of 20,000 reports is read and sent 50 at a time, never whole.
import type { Db } from '../db/client.ts';
import { Invalid, NotFound } from '../errors.ts';
import { z } from '../http/zod.ts';
import { aggregateFromTally, computeIncidentAggregate, type AggregateMember, type Tally } from '../incidents/aggregate.ts';
import { ReportView } from '../reports/schema.ts';
import { reportView } from '../reports/view.ts';
import { IncidentSummary, incidentSummary, summarySelect } from './view.ts';

export const MEMBERS_PAGE = 50;

export const MembersQuery = z.object({
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(200).default(MEMBERS_PAGE),
}).strict().openapi('IncidentMembersQuery');

export const MembersPage = z.object({ items: z.array(ReportView), nextCursor: z.string().nullable() }).openapi('IncidentMembersPage');

export const IncidentDetail = IncidentSummary.extend({
  mergedIntoId: z.string().uuid().nullable(),
  correction: z.record(z.string(), z.unknown()).nullable(),
  automatic: z.object({ terms: z.array(z.string()), stance: z.string().nullable(), confidence: z.number().nullable() }).nullable(),
  reports: z.array(ReportView).openapi({ description: `The first ${MEMBERS_PAGE} member reports in observed order; GET /api/incidents/{id}/reports pages the rest` }),
  reportsNextCursor: z.string().nullable(),
  comments: z.array(z.object({ id: z.string(), author: z.object({ id: z.string(), username: z.string() }), body: z.string(), createdAt: z.string() })),
  history: z.array(z.object({ at: z.string(), actorName: z.string().nullable(), action: z.string(), before: z.unknown(), after: z.unknown() })),
}).openapi('IncidentDetail');

const encode = (r: { observedAt: Date; id: string }) => Buffer.from(JSON.stringify([r.observedAt.toISOString(), r.id])).toString('base64url');
function decode(cursor: string): { observedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const observedAt = new Date(at);
    if (Number.isNaN(observedAt.getTime()) || !z.string().uuid().safeParse(id).success) throw new Error('bad cursor');
    return { observedAt, id };
  } catch {
    throw new Invalid([{ field: 'cursor', reason: 'not a cursor this endpoint gave' }], 400);
  }
}

/** A page of an incident's member reports in observed order (observedAt, id), after `cursor`. */
export async function listIncidentReports(db: Db, incidentId: string, q: { cursor?: string; limit?: number } = {}) {
  const limit = q.limit ?? MEMBERS_PAGE;
  const after = q.cursor ? decode(q.cursor) : null;
  const rows = await db.report.findMany({
    where: {
      incidentId,
      ...(after ? { OR: [{ observedAt: { gt: after.observedAt } }, { observedAt: after.observedAt, id: { gt: after.id } }] } : {}),
    },
    orderBy: [{ observedAt: 'asc' }, { id: 'asc' }],
    take: limit + 1,
    include: { attachments: { orderBy: [{ createdAt: 'asc' }, { originalName: 'asc' }] } },
  });
  const items = rows.slice(0, limit);
  return { items: items.map(reportView), nextCursor: rows.length > limit ? encode(items[items.length - 1]!) : null };
}

export async function getIncidentReports(db: Db, incidentId: string, q: { cursor?: string; limit?: number }) {
  if (!(await db.incident.findUnique({ where: { id: incidentId }, select: { id: true } }))) throw new NotFound('incident');
  return listIncidentReports(db, incidentId, q);
}

/** What the machine alone says (no correction): from the tally, or for an incident stored before tallies, its members. */
async function automaticOf(db: Db, id: string, tally: Tally | null) {
  if (tally) return tally.n > 0 ? aggregateFromTally(tally, null) : null;
  const members = await db.$queryRaw<AggregateMember[]>`
    SELECT "lat", "lon", "resolvedLat", "resolvedLon", "geoCell", "placeName", "resolvedPlace", "observedAt", "language",
      "partyAlleged"::text AS "partyAlleged", "casualties", "terms", "stance"::text AS stance, "confidence"
    FROM "Report" WHERE "incidentId" = ${id}::uuid ORDER BY "observedAt", "id"`;
  return members.length ? computeIncidentAggregate(members, null) : null;
}

export async function getIncidentDetail(db: Db, id: string) {
  const incident = await db.incident.findUnique({ where: { id }, select: { ...summarySelect, mergedIntoId: true, tally: true } });
  if (!incident) throw new NotFound('incident');
  const [page, comments, history, automatic] = await Promise.all([
    listIncidentReports(db, id),
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
    automaticOf(db, id, incident.tally as Tally | null),
  ]);
  return {
    ...incidentSummary(incident),
    mergedIntoId: incident.mergedIntoId,
    correction: incident.correction ?? null,
    automatic: automatic ? { terms: automatic.terms, stance: automatic.stance, confidence: automatic.confidence } : null,
    reports: page.items,
    reportsNextCursor: page.nextCursor,
    comments: comments.map((c) => ({ id: c.id, author: c.author, body: c.body, createdAt: c.createdAt.toISOString() })),
    history: history.map((h) => ({ at: h.at.toISOString(), actorName: h.actorName, action: h.action, before: h.before, after: h.after })),
  };
}
