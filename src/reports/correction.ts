// A commission member corrects a report's terms and stance. The correction is stored beside the automatic
// result (which stays visible), audited, and a processing job is queued through the outbox in the same
// transaction, so the incident aggregate follows even if Redis is down at that moment.
import { appendAudit } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { Invalid, NotFound } from '../errors.ts';
import { enqueue } from '../outbox/repository.ts';
import type { ReportCorrection } from '../pipeline/effective.ts';
import { REPORT_RECEIVED } from '../queue/names.ts';
import { lockForCorrection, saveCorrection } from './repository.ts';
import type { Stance } from '../pipeline/types.ts';

export interface CorrectionInput {
  terms: string[];
  stance: Stance;
  note?: string;
}
export interface Corrector {
  id: string;
  username: string;
}

export async function correctReportClassification(
  deps: { db: Db; clock: Clock; termIds: readonly string[] },
  by: Corrector,
  reportId: string,
  input: CorrectionInput,
): Promise<void> {
  const unknown = input.terms.filter((t) => !deps.termIds.includes(t));
  if (unknown.length)
    throw new Invalid([{ field: 'terms', reason: `not terms of the agreement: ${unknown.join(', ')}` }]);
  if (input.terms.includes('none') && input.terms.length > 1)
    throw new Invalid([{ field: 'terms', reason: '"none" cannot be combined with other terms' }]);
  const correction: ReportCorrection = {
    terms: [...new Set(input.terms)],
    stance: input.stance,
    by: by.username,
    at: deps.clock.now().toISOString(),
    ...(input.note ? { note: input.note } : {}),
  };
  await deps.db.$transaction(async (tx) => {
    const before = await lockForCorrection(tx, reportId);
    if (!before) throw new NotFound('report');
    await saveCorrection(tx, reportId, correction);
    await enqueue(tx, REPORT_RECEIVED, { reportId });
    await appendAudit(
      tx,
      {
        actorId: by.id,
        actorName: by.username,
        action: 'report_corrected',
        entityType: 'report',
        entityId: reportId,
        before: { terms: before.terms, stance: before.stance, correction: before.correction },
        after: correction,
      },
      deps.clock,
    );
  });
}
