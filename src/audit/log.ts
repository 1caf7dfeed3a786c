// The audit log as the commission and admins read it: every recorded action, newest first, filtered by action,
// kind of thing, the thing's id, who acted and when; paged by the chain's own sequence number (a keyset that
// never skips or repeats a row while new ones are appended).
import { z } from 'zod';
import { Invalid } from '../errors.ts';
import { DayOrInstant, toInstant } from '../incidents/filters.ts';
import { AUDIT_ACTIONS } from './actions.ts';
import { auditLogPage, type AuditLogWhere } from './repository.ts';
import type { Db } from '../db/client.ts';
import { likeLiteral } from '../db/like.ts';
import { observerIds, staffUsernamesAmong, staffUsernamesLike, usernamesOf } from '../users/repository.ts';
import type { AuthUser } from '../users/index.ts';
import { pseudonymiseObservers, type Pseudonym } from '../users/observer-identity.ts';
import { canSeeObserverNames } from '../auth/policies.ts';

export const AUDIT_LOG_PAGE = 50;

export const AuditLogQuery = z
  .object({
    action: z.enum(AUDIT_ACTIONS).optional(),
    entityType: z.string().trim().min(1).max(32).optional().meta({ description: 'incident, report, user, …' }),
    entityId: z
      .string()
      .trim()
      .min(4)
      .max(64)
      .optional()
      .meta({ description: 'The id, or its start (the 8-character short id the pages show)' }),
    actor: z.string().trim().min(1).max(64).optional().meta({
      description:
        "Part of the acting username; an observer acting is matched by part of the pseudonym the rows show, for whoever may not see observers' names",
    }),
    from: DayOrInstant.optional().meta({
      description: 'At or after (a date: start of that day in the agreement zone)',
    }),
    to: DayOrInstant.optional().meta({ description: 'Before (a date: that whole day included)' }),
    cursor: z.string().max(40).optional().meta({ description: 'nextCursor of the previous page' }),
    limit: z.coerce.number().int().min(1).max(200).default(AUDIT_LOG_PAGE),
  })
  .strict()
  .meta({ id: 'AuditLogQuery' });
export type AuditLogQuery = z.infer<typeof AuditLogQuery>;

export const AuditLogEntry = z
  .object({
    seq: z.string(),
    at: z.string(),
    actorId: z.string().nullable(),
    actorName: z.string().nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .meta({ id: 'AuditLogEntry' });

export const AuditLogPage = z
  .object({
    items: z.array(AuditLogEntry),
    nextCursor: z.string().nullable(),
    people: z.record(z.string(), z.string()).meta({ description: 'Usernames of the accounts the rows name by id' }),
  })
  .meta({ id: 'AuditLogPage' });

/** The filters as a pure description for the repository: a query shape, no SQL. */
export function auditLogWhere(q: AuditLogQuery, tz: string): AuditLogWhere {
  let beforeSeq: bigint | undefined;
  if (q.cursor !== undefined) {
    if (!/^\d{1,19}$/.test(q.cursor))
      throw new Invalid([{ field: 'cursor', reason: 'not a cursor this endpoint gave' }], 400);
    beforeSeq = BigInt(q.cursor);
  }
  return {
    action: q.action,
    entityType: q.entityType,
    entityIdPrefix: q.entityId?.toLowerCase(),
    actor: q.actor,
    from: q.from ? toInstant(q.from, 'from', tz) : undefined,
    to: q.to ? toInstant(q.to, 'to', tz) : undefined,
    beforeSeq,
  };
}

/** Who reads the log, and the installation's observer pseudonym (observers are shown as the reader may see them). */
export interface AuditReader {
  reader: AuthUser;
  pseudonym: Pseudonym;
}

export async function listAuditLog(db: Db, who: AuditReader, q: AuditLogQuery, tz: string) {
  const limit = q.limit ?? AUDIT_LOG_PAGE;
  const where = auditLogWhere(q, tz);
  if (q.actor && !canSeeObserverNames(who.reader)) {
    // A username typed here must not find the rows of the observer it names: that would tie name and pseudonym.
    const unnamed = (await observerIds(db)).filter((id) => id !== who.reader.id);
    const wanted = q.actor.toLowerCase();
    where.actorByIds = {
      unnamed,
      matching: unnamed.filter((id) => who.pseudonym(id).includes(wanted)),
      staffNames: await staffUsernamesLike(db, likeLiteral(q.actor)),
    };
  }
  const rows = await auditLogPage(db, where, limit + 1);
  const items = await hideAttemptedNames(
    db,
    who.reader,
    await pseudonymiseObservers(db, who.reader, who.pseudonym, rows.slice(0, limit)),
  );
  return {
    items: items.map((r) => ({
      seq: r.seq.toString(),
      at: r.at.toISOString(),
      actorId: r.actorId,
      actorName: r.actorName,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      before: r.before,
      after: r.after,
    })),
    nextCursor: rows.length > limit ? items[items.length - 1]!.seq.toString() : null,
    people: Object.fromEntries(await usernamesOf(db, assigneeIdsIn(items))),
  };
}

/**
 * A failed sign-in names what was typed, with no account to pseudonymise: an observer's username (or a slip of it)
 * must not reach who may not see observers' names. The name stays when it is a commission member's or an admin's.
 */
async function hideAttemptedNames<T extends { action: string; actorId: string | null; actorName: string | null }>(
  db: Db,
  reader: AuthUser,
  rows: T[],
): Promise<T[]> {
  if (canSeeObserverNames(reader)) return rows;
  const attempted = (r: T) => r.action === 'login_failed' && r.actorId === null && r.actorName !== null;
  const staff = await staffUsernamesAmong(db, [...new Set(rows.filter(attempted).map((r) => r.actorName!))]);
  return rows.map((r) => (attempted(r) && !staff.has(r.actorName!) ? { ...r, actorName: null } : r));
}

/** The accounts assignment rows name, so the page can say "assigned the incident to X" rather than show an id. */
export function assigneeIdsIn(rows: Array<{ action: string; before: unknown; after: unknown }>): string[] {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.action !== 'incident_assigned') continue;
    for (const side of [r.before, r.after]) {
      const id = (side as { assigneeId?: unknown } | null)?.assigneeId;
      if (typeof id === 'string') ids.add(id);
    }
  }
  return [...ids];
}
