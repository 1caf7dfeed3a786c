// Single-incident review actions: change state, assign, correct terms/stance, comment. Each runs in one
// transaction with its audit rows, so a change and its record commit together or not at all.
import type { AuditAction } from '../audit/index.ts';
import { z } from 'zod';
import { Invalid } from '../errors.ts';
import type { IncidentEventKind } from '../live/events.ts';
import { recomputeIncident } from './aggregate.ts';
import { INCIDENT_STATES, STANCES } from './filters.ts';
import { assertTransition } from './transitions.ts';
import type { Tx } from '../db/client.ts';
import { findAssignable } from '../users/repository.ts';
import { audit, type Actor, type ReviewDeps } from './deps.ts';
import { enqueue } from '../outbox/repository.ts';
import { EVENTS } from '../queue/names.ts';
import { noticeAssignment } from '../notifications/index.ts';
import {
  insertComment,
  lockIncident,
  readSummary,
  readTermsAndStance,
  setIncidentAssignee,
  setIncidentCorrection,
  setIncidentState,
} from './repository.ts';

export const IncidentPatch = z
  .object({
    state: z.enum(INCIDENT_STATES).optional(),
    assigneeId: z.string().uuid().nullable().optional(),
    terms: z.array(z.string().min(1).max(64)).min(1).max(20).optional(),
    stance: z.enum(STANCES).optional(),
    note: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .meta({ description: 'Why; kept with the correction and in the audit trail.' }),
  })
  .strict()
  .refine(
    (p) => p.state !== undefined || p.assigneeId !== undefined || p.terms !== undefined || p.stance !== undefined,
    { message: 'give at least one of state, assigneeId, terms, stance' },
  )
  .meta({ id: 'IncidentPatch' });
export type IncidentPatch = z.infer<typeof IncidentPatch>;

export const CommentInput = z
  .object({ body: z.string().trim().min(1).max(10_000) })
  .strict()
  .meta({ id: 'CommentInput' });

/** Applies a patch; a field equal to the current value is no change and leaves no audit row. */
export async function updateIncident(deps: ReviewDeps, actor: Actor, id: string, patch: IncidentPatch) {
  const unknown = (patch.terms ?? []).filter((t) => !deps.termIds.includes(t));
  if (unknown.length)
    throw new Invalid([{ field: 'terms', reason: `not terms of the agreement: ${unknown.join(', ')}` }]);
  const kinds: IncidentEventKind[] = [];
  const summary = await deps.db.$transaction(async (tx) => {
    const before = await lockIncident(tx, id);
    const audits: Array<[AuditAction, unknown, unknown]> = [];
    if (patch.state !== undefined && patch.state !== before.state) {
      assertTransition(before.state, patch.state);
      await setIncidentState(tx, id, patch.state, deps.clock.now());
      audits.push([
        'incident_state_changed',
        { state: before.state },
        { state: patch.state, note: patch.note ?? null },
      ]);
      if (patch.state === 'verified') {
        await enqueue(tx, EVENTS.incidentVerified, {
          incidentId: id,
          previousState: before.state,
          by: actor.username,
          note: patch.note ?? null,
        });
      }
    }
    if (patch.assigneeId !== undefined && patch.assigneeId !== before.assigneeId) {
      await assertAssignable(tx, patch.assigneeId);
      await setIncidentAssignee(tx, id, patch.assigneeId);
      await noticeAssignment(tx, id, patch.assigneeId, actor.id);
      audits.push(['incident_assigned', { assigneeId: before.assigneeId }, { assigneeId: patch.assigneeId }]);
    }
    if (patch.terms !== undefined || patch.stance !== undefined) {
      const prev = (before.correction ?? {}) as Record<string, unknown>;
      const correction = {
        ...prev,
        ...(patch.terms ? { terms: [...new Set(patch.terms)].sort() } : {}),
        ...(patch.stance ? { stance: patch.stance } : {}),
        by: actor.username,
        at: deps.clock.now().toISOString(),
        note: patch.note ?? null,
      };
      await setIncidentCorrection(tx, id, correction);
      // The correction wins inside the shared aggregate, which also rescores severity and the summary line.
      await recomputeIncident(tx, id, actor.id);
      const after = await readTermsAndStance(tx, id);
      audits.push([
        'incident_corrected',
        { terms: before.terms, stance: before.stance, correction: before.correction },
        { terms: after.terms, stance: after.stance, correction },
      ]);
    }
    for (const [action, b, a] of audits) await audit(tx, deps.clock, actor, action, id, b, a);
    kinds.push(...audits.map(([action]) => EVENT_OF[action as keyof typeof EVENT_OF]));
    return readSummary(tx, id);
  });
  deps.events?.(kinds.map((kind) => ({ incidentId: id, kind, actorId: actor.id })));
  return summary;
}

const EVENT_OF = {
  incident_state_changed: 'state',
  incident_assigned: 'assigned',
  incident_corrected: 'corrected',
} as const satisfies Partial<Record<AuditAction, IncidentEventKind>>;

async function assertAssignable(tx: Tx, userId: string | null): Promise<void> {
  if (userId === null) return;
  const user = await findAssignable(tx, userId);
  if (!user || user.disabledAt || user.role !== 'commission') {
    throw new Invalid([{ field: 'assigneeId', reason: 'not an active commission member' }]);
  }
}

export async function addComment(deps: ReviewDeps, actor: Actor, incidentId: string, body: string) {
  const authorId = actor.id;
  if (!authorId) throw new Invalid([{ field: 'author', reason: 'comments are written by people' }]);
  const comment = await deps.db.$transaction(async (tx) => {
    await lockIncident(tx, incidentId);
    const c = await insertComment(tx, incidentId, authorId, body, deps.clock.now());
    await audit(tx, deps.clock, actor, 'comment_added', incidentId, null, { commentId: c.id, body });
    return { id: c.id, author: c.author, body: c.body, createdAt: c.createdAt.toISOString() };
  });
  deps.events?.([{ incidentId, kind: 'commented', actorId: actor.id }]);
  return comment;
}
