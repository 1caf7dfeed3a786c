// Digests as stored rows: compiled from the incidents and reports of a period, kept with their content hash,
// audited when created. The agreement (terms, parties, deadlines) is the caller's: the configured one
// (src/agreements, AGREEMENT_ID).
import { appendAudit, type Clock } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { Invalid, NotFound } from '../errors.ts';
import { digestIncidents } from '../incidents/repository.ts';
import { digestReportGroups } from '../reports/repository.ts';
import { compileDigest } from './compile.ts';
import { enqueue } from '../outbox/repository.ts';
import { EVENTS } from '../queue/names.ts';
import { lastCompletedWeek, previousPeriod, type Period } from './period.ts';
import {
  findDigest,
  findForPeriod,
  insertDigest,
  listPage,
  lockAndFindScheduled,
  type DigestTrigger,
} from './repository.ts';
import type { DigestAgreement, DigestData, DigestIncident, DigestInput, DigestReportGroup } from './types.ts';

export type { DigestTrigger };
export interface DigestRequest {
  from: Date;
  to: Date;
  trigger: DigestTrigger;
  requestedById?: string | null;
}

// A year and a bit: beyond that the map and trend stop being readable and the load stops being quick.
const MAX_DAYS = 400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a digest is compiled from: incidents whose observation span overlaps [from, to) and the reports observed in
 * it, leaving out incidents merged into another (their reports count under the survivor) and reports not yet placed
 * in an incident. Reports come counted by local day, language and terms, which keeps a week of 100k reports to a few
 * hundred rows instead of 100k hydrated objects.
 */
export async function loadDigestInput(
  db: Db,
  { from, to, timezone = 'Africa/Tripoli' }: Period & { timezone?: string },
): Promise<DigestInput> {
  const [incidents, reportGroups] = await Promise.all([
    digestIncidents<DigestIncident>(db, from, to),
    digestReportGroups<DigestReportGroup>(db, from, to, timezone),
  ]);
  return { incidents, reportGroups };
}

export async function createDigest(db: Db, req: DigestRequest, clock: Clock, agreement: DigestAgreement) {
  const { from, to } = req;
  if (!(from.getTime() < to.getTime())) throw new Invalid([{ field: 'to', reason: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000)
    throw new Invalid([{ field: 'to', reason: `period longer than ${MAX_DAYS} days` }]);
  const timezone = agreement.timezone;
  const [input, previous] = await Promise.all([
    loadDigestInput(db, { from, to, timezone }),
    loadDigestInput(db, { ...previousPeriod(from, to), timezone }),
  ]);
  const data = compileDigest(input, agreement, { from, to, previous });
  return db.$transaction(async (tx) => {
    if (req.trigger === 'scheduled') {
      // A retried scheduler job must not file the same week twice: same period and same content is the same digest.
      const same = await lockAndFindScheduled(tx, agreement.id, from, to, data.contentHash);
      if (same) return { ...same, data };
    }
    const row = await insertDigest(tx, {
      periodFrom: from,
      periodTo: to,
      agreementId: agreement.id,
      trigger: req.trigger,
      requestedById: req.requestedById ?? null,
      contentHash: data.contentHash,
      data: data as object,
      createdAt: clock.now(),
    });
    await appendAudit(
      tx,
      {
        actorId: req.requestedById ?? null,
        actorName: req.requestedById ? null : req.trigger,
        action: 'digest_created',
        entityType: 'digest',
        entityId: row.id,
        after: { periodFrom: from, periodTo: to, trigger: req.trigger, contentHash: data.contentHash },
      },
      clock,
    );
    await enqueue(tx, EVENTS.digestPublished, { digestId: row.id });
    return { ...row, data };
  });
}

/**
 * A compile-digest job: the given period, or the last completed week in the digest time zone. Run twice (a retry
 * after a lost ack), it returns the digest already stored for that period.
 */
export async function compileDigestJob(
  deps: { db: Db; clock: Clock; agreement: DigestAgreement; timeZone: string },
  job: { trigger: DigestTrigger; from?: string; to?: string; requestedById?: string },
): Promise<{ id: string; reused: boolean }> {
  const period =
    job.from && job.to
      ? { from: new Date(job.from), to: new Date(job.to) }
      : lastCompletedWeek(deps.clock.now(), deps.timeZone);
  const requestedById = job.requestedById ?? null;
  const existing = await findForPeriod(deps.db, { ...period, trigger: job.trigger, requestedById });
  if (existing) return { id: existing.id, reused: true };
  const digest = await createDigest(
    deps.db,
    { ...period, trigger: job.trigger, requestedById },
    deps.clock,
    deps.agreement,
  );
  return { id: digest.id, reused: false };
}

export async function getDigest(db: Db, id: string) {
  const row = UUID.test(id) ? await findDigest(db, id) : null;
  if (!row) throw new NotFound('digest');
  return { ...row, data: row.data as unknown as DigestData };
}

/** Newest first; `cursor` is the id of the last digest of the previous page. */
export async function listDigests(db: Db, { limit = 20, cursor }: { limit?: number; cursor?: string | null } = {}) {
  const take = Math.min(Math.max(Math.trunc(limit), 1), 100);
  if (cursor && !UUID.test(cursor)) throw new Invalid([{ field: 'cursor', reason: 'not a digest id' }]);
  const rows = await listPage(db, take + 1, cursor);
  return { items: rows.slice(0, take), nextCursor: rows.length > take ? rows[take - 1].id : null };
}
