// One incident as the incident page shows it: its summary, the automatic result beside any correction, the first
// page of its member reports (observed order) with a cursor for the rest, the comments and the audit history.
// Members are paged: an incident of 20,000 reports is read and sent 50 at a time, never whole.
import { z } from 'zod';
import { historyOfIncident } from '../audit/repository.ts';
import { usernamesOf } from '../users/repository.ts';
import type { AuthUser } from '../users/index.ts';
import { observerKeyFor, pseudonymiseObservers, type Pseudonym } from '../users/observer-identity.ts';
import { assigneeIdsIn } from '../audit/log.ts';
import type { Db } from '../db/client.ts';
import { Invalid, NotFound } from '../errors.ts';
import { reportsOfIncidentPage } from '../reports/repository.ts';
import { ReportView } from '../reports/schema.ts';
import { reportView } from '../reports/view.ts';
import { aggregateFromTally, computeIncidentAggregate, type Tally } from './aggregate.ts';
import { commentsOf, findIncidentForPage, incidentExists, membersOf } from './repository.ts';
import { IncidentSummary, incidentSummary } from './view.ts';
import { arrivalRows, newSinceVerification } from './since-verified.ts';

export const MEMBERS_PAGE = 50;

export const MembersQuery = z
  .object({
    cursor: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(200).default(MEMBERS_PAGE),
  })
  .strict()
  .meta({ id: 'IncidentMembersQuery' });

export const MembersPage = z
  .object({ items: z.array(ReportView), nextCursor: z.string().nullable() })
  .meta({ id: 'IncidentMembersPage' });

export const IncidentDetail = IncidentSummary.extend({
  mergedIntoId: z.string().uuid().nullable(),
  verifiedAt: z
    .string()
    .nullable()
    .meta({ description: 'When it was last set to verified (null when it is not verified)' }),
  correction: z.record(z.string(), z.unknown()).nullable(),
  automatic: z
    .object({ terms: z.array(z.string()), stance: z.string().nullable(), confidence: z.number().nullable() })
    .nullable(),
  reports: z.array(ReportView).meta({
    description: `The first ${MEMBERS_PAGE} member reports in observed order; GET /api/incidents/{id}/reports pages the rest`,
  }),
  reportsNextCursor: z.string().nullable(),
  comments: z.array(
    z.object({
      id: z.string(),
      author: z.object({ id: z.string(), username: z.string() }),
      body: z.string(),
      createdAt: z.string(),
    }),
  ),
  history: z.array(
    z.object({
      at: z.string(),
      actorName: z.string().nullable(),
      action: z.string(),
      entityId: z.string().meta({
        description: 'The incident the row was recorded on (another one for a split or merge naming this one)',
      }),
      before: z.unknown(),
      after: z.unknown(),
    }),
  ),
  people: z
    .record(z.string(), z.string())
    .meta({ description: 'Usernames of the accounts the history names by id (assignees)' }),
}).meta({ id: 'IncidentDetail' });

const encode = (r: { observedAt: Date; id: string }) =>
  Buffer.from(JSON.stringify([r.observedAt.toISOString(), r.id])).toString('base64url');
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

/** Who reads the page, and the installation's observer pseudonym: observers are shown as the reader may see them. */
export interface IncidentReader {
  reader: AuthUser;
  pseudonym: Pseudonym;
}

/** A page of an incident's member reports in observed order (observedAt, id), after `cursor`. */
export async function listIncidentReports(
  db: Db,
  who: IncidentReader,
  incidentId: string,
  q: { cursor?: string; limit?: number } = {},
) {
  const limit = q.limit ?? MEMBERS_PAGE;
  const after = q.cursor ? decode(q.cursor) : null;
  const rows = await reportsOfIncidentPage(db, incidentId, after, limit + 1);
  const items = rows.slice(0, limit);
  return {
    items: items.map((r) => reportView(r, observerKeyFor(who.reader, who.pseudonym))),
    nextCursor: rows.length > limit ? encode(items[items.length - 1]!) : null,
  };
}

export async function getIncidentReports(
  db: Db,
  who: IncidentReader,
  incidentId: string,
  q: { cursor?: string; limit?: number },
) {
  if (!(await incidentExists(db, incidentId))) throw new NotFound('incident');
  return listIncidentReports(db, who, incidentId, q);
}

/** What the machine alone says (no correction): from the tally, or for an incident stored before tallies, its members. */
async function automaticOf(db: Db, id: string, tally: Tally | null) {
  if (tally) return tally.n > 0 ? aggregateFromTally(tally, null) : null;
  const members = await membersOf(db, [id]);
  return members.length ? computeIncidentAggregate(members, null) : null;
}

export async function getIncidentDetail(db: Db, who: IncidentReader, id: string) {
  const incident = await findIncidentForPage(db, id);
  if (!incident) throw new NotFound('incident');
  const [page, comments, audited, automatic, since] = await Promise.all([
    listIncidentReports(db, who, id),
    commentsOf(db, id),
    historyOfIncident(db, id),
    automaticOf(db, id, incident.tally as Tally | null),
    newSinceVerification(db, [incident]).then((m) => m.get(id)),
  ]);
  // An observer who answered a request for more information is the actor of its rows: named as the reader may see.
  const shown = await pseudonymiseObservers(db, who.reader, who.pseudonym, audited);
  const history = [...shown.map((h) => ({ ...h, at: h.at.toISOString() })), ...arrivalRows(id, since)].sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : 0,
  );
  return {
    ...incidentSummary(incident),
    newSinceVerified: since?.reports.length ?? 0,
    verifiedAt: since?.verifiedAt ?? null,
    mergedIntoId: incident.mergedIntoId,
    correction: incident.correction ?? null,
    automatic: automatic
      ? { terms: automatic.terms, stance: automatic.stance, confidence: automatic.confidence }
      : null,
    reports: page.items,
    reportsNextCursor: page.nextCursor,
    comments: comments.map((c) => ({ id: c.id, author: c.author, body: c.body, createdAt: c.createdAt.toISOString() })),
    history: history.map((h) => ({
      at: h.at,
      actorName: h.actorName,
      action: h.action,
      entityId: h.entityId,
      before: h.before,
      after: h.after,
    })),
    people: Object.fromEntries(await usernamesOf(db, assigneeIdsIn(history))),
  };
}
