// An observer adds to a report already sent: text, files, or both; typically the answer to the commission's request
// for more information. The report itself never changes (it is evidence as filed); the addition is a row of its own,
// its files join the report's evidence, and all of it is audited in the same transaction (the text by its hash).
// An answer to an open request puts the incident back under review, so the commission's queue shows that something
// came in.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuthUser } from '../users/index.ts';
import { Conflict, Invalid, NotFound, zodIssues } from '../errors.ts';
import { appendAudit } from '../audit/index.ts';
import type { IncomingFile } from '../attachments/prepare.ts';
import { lockIncident, setIncidentState } from '../incidents/repository.ts';
import { retryOnDeadlock } from '../db/retry.ts';
import { noticeObserverChange } from '../notifications/index.ts';
import { assertRoomFor, keepEvidence, newEvidence, type IntakeDeps } from './service.ts';
import { STORABLE_REASON, storable } from './schema.ts';
import { addAttachments, findAddition, insertAddition, lockForEvidence, ownerAndIncident } from './repository.ts';

export const AdditionInput = z
  .object({
    text: z
      .string()
      .trim()
      .max(10_000)
      .refine(storable, STORABLE_REASON)
      .optional()
      .meta({ description: 'What the observer adds, in English or Arabic.' }),
  })
  .strict()
  .meta({ id: 'AdditionInput' });

/** What `POST /api/reports/{id}/additions` takes as JSON: the addition, and the finished resumable uploads it cites. */
export const AdditionFiling = z
  .object({
    ...AdditionInput.shape,
    uploadIds: z
      .array(z.string().uuid())
      .max(50)
      .optional()
      .meta({ description: "finished uploads of POST /api/uploads (the observer's own, not cited by anything else)" }),
  })
  .meta({ id: 'AdditionFiling' });

export async function addToReport(
  deps: IntakeDeps,
  observer: AuthUser,
  reportId: string,
  raw: unknown,
  incoming: IncomingFile[],
  /** A client's key for this addition (the ODK follow-up's instanceID): sent again, it adds nothing twice. */
  clientId: string | null = null,
) {
  if (clientId) {
    const earlier = await findAddition(deps.db, observer.id, clientId);
    if (earlier) {
      if (earlier.reportId !== reportId) throw new Conflict('this form was already sent for another report');
      return earlier;
    }
  }
  const parsed = AdditionInput.safeParse(raw ?? {});
  if (!parsed.success) throw new Invalid(zodIssues(parsed.error));
  const text = parsed.data.text || null;
  if (!text && incoming.length === 0) throw new Invalid([{ field: 'text', reason: 'add a text or at least one file' }]);
  const owner = await ownerAndIncident(deps.db, reportId);
  // Someone else's report is missing, not forbidden: ids reveal nothing.
  if (!owner || owner.observerId !== observer.id) throw new NotFound('report');
  const attachments = await keepEvidence(deps, incoming);

  // Deadlock-safe to run again: the callback only reads and writes through tx.
  const done = await retryOnDeadlock(() =>
    deps.db.$transaction(async (tx) => {
      // The incident first, then the report: the order every writer of both takes.
      const incident = owner.incidentId ? await lockIncident(tx, owner.incidentId) : null;
      const row = await lockForEvidence(tx, reportId);
      if (!row) throw new NotFound('report');
      const fresh = newEvidence(row.stored, attachments);
      assertRoomFor(row.stored.length, fresh.length, deps.limits.maxAttachments);
      // New files are processed like the first ones (the outbox job addAttachments writes).
      if (fresh.length) await addAttachments(tx, reportId, fresh);
      const answersRequest = incident?.state === 'needs_info' && row.incidentId === incident.id;
      const addition = await insertAddition(tx, {
        reportId,
        authorId: observer.id,
        text,
        attachments: attachments.map((a) => a.sha256),
        answersRequest,
        clientId,
      });
      if (incident && row.incidentId === incident.id)
        await noticeObserverChange(tx, incident, answersRequest ? 'answered' : 'added', observer.id);
      const actor = { actorId: observer.id, actorName: observer.username };
      await appendAudit(
        tx,
        {
          ...actor,
          action: 'report_addition',
          entityType: 'report',
          entityId: reportId,
          // The text's hash, not the text: an audit row is never rewritten, and an erasure must take what the
          // observer wrote with the report (the text is the addition's, deleted with it).
          after: {
            additionId: addition.id,
            textSha256: text === null ? null : createHash('sha256').update(text).digest('hex'),
            answersRequest,
            attachments: attachments.map((a) => ({ sha256: a.sha256, mime: a.mime, originalName: a.originalName })),
          },
        },
        deps.clock,
      );
      if (answersRequest) {
        await setIncidentState(tx, incident.id, 'under_review', deps.clock.now());
        await appendAudit(
          tx,
          {
            ...actor,
            action: 'incident_state_changed',
            entityType: 'incident',
            entityId: incident.id,
            before: { state: 'needs_info' },
            after: { state: 'under_review', note: null, answeredBy: { reportId, additionId: addition.id } },
          },
          deps.clock,
        );
      }
      return { addition, incidentId: row.incidentId, answersRequest };
    }),
  );
  if (done.incidentId) {
    const actorId = observer.id;
    deps.events?.([
      { incidentId: done.incidentId, kind: 'added', actorId },
      ...(done.answersRequest ? [{ incidentId: done.incidentId, kind: 'state' as const, actorId }] : []),
    ]);
  }
  return done.addition;
}
