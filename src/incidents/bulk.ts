// Bulk actions on a selection. Each incident is its own transaction: one invalid transition or stale row
// is reported back by id instead of undoing the rest of the selection.
import { z } from 'zod';
import { DomainError } from '../errors.ts';
import { updateIncident, type IncidentPatch } from './actions.ts';
import { INCIDENT_STATES } from './filters.ts';
import type { Actor, ReviewDeps } from './deps.ts';

export const BulkInput = z
  .discriminatedUnion('action', [
    z
      .object({
        action: z.literal('state'),
        ids: z.array(z.string().uuid()).min(1).max(500),
        state: z.enum(INCIDENT_STATES),
        note: z.string().trim().min(1).max(2000).optional(),
      })
      .strict(),
    z
      .object({
        action: z.literal('assign'),
        ids: z.array(z.string().uuid()).min(1).max(500),
        assigneeId: z.string().uuid().nullable(),
      })
      .strict(),
  ])
  .meta({ id: 'IncidentBulkAction' });
export type BulkInput = z.infer<typeof BulkInput>;

export const BulkResult = z
  .object({
    updated: z.number().int(),
    errors: z.array(z.object({ id: z.string(), reason: z.string() })),
  })
  .meta({ id: 'IncidentBulkResult' });

export async function bulkUpdate(deps: ReviewDeps, actor: Actor, input: BulkInput) {
  const patch: IncidentPatch =
    input.action === 'state'
      ? { state: input.state, ...(input.note ? { note: input.note } : {}) }
      : { assigneeId: input.assigneeId };
  let updated = 0;
  const errors: Array<{ id: string; reason: string }> = [];
  // Sequential on purpose: each transaction takes the audit chain's lock, so parallel ones would only queue.
  for (const id of [...new Set(input.ids)]) {
    try {
      await updateIncident(deps, actor, id, patch);
      updated += 1;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push({ id, reason: err.message });
    }
  }
  return { updated, errors };
}
