// Digests as stored rows: compiled from the database, kept with their content hash, audited when created.
import libya from '../agreements/libya-2020.json' with { type: 'json' };
import { appendAudit, type Clock } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { Invalid, NotFound } from '../errors.ts';
import { compileDigest } from './compile.ts';
import { loadDigestInput } from './repository.ts';
import { previousPeriod } from './period.ts';
import type { DigestAgreement, DigestData } from './types.ts';

export type DigestTrigger = 'scheduled' | 'on_demand';
export interface DigestRequest { from: Date; to: Date; trigger: DigestTrigger; requestedById?: string | null }

// A year and a bit: beyond that the map and trend stop being readable and the load stops being quick.
const MAX_DAYS = 400;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const summarySelect = { id: true, periodFrom: true, periodTo: true, agreementId: true, trigger: true, requestedById: true, contentHash: true, createdAt: true } as const;

export async function createDigest(db: Db, req: DigestRequest, clock: Clock, agreement: DigestAgreement = libya) {
  const { from, to } = req;
  if (!(from.getTime() < to.getTime())) throw new Invalid([{ field: 'to', reason: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000) throw new Invalid([{ field: 'to', reason: `period longer than ${MAX_DAYS} days` }]);
  const timezone = agreement.timezone;
  const [input, previous] = await Promise.all([
    loadDigestInput(db, { from, to, timezone }), loadDigestInput(db, { ...previousPeriod(from, to), timezone })]);
  const data = compileDigest(input, agreement, { from, to, previous });
  return db.$transaction(async (tx) => {
    if (req.trigger === 'scheduled') {
      // A retried scheduler job must not file the same week twice: same period and same content is the same digest.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`digest:${agreement.id}:${from.toISOString()}:${to.toISOString()}`}))`;
      const same = await tx.digest.findFirst({ where: { trigger: 'scheduled', agreementId: agreement.id, periodFrom: from, periodTo: to, contentHash: data.contentHash }, select: summarySelect });
      if (same) return { ...same, data };
    }
    const row = await tx.digest.create({
      data: { periodFrom: from, periodTo: to, agreementId: agreement.id, trigger: req.trigger, requestedById: req.requestedById ?? null,
        contentHash: data.contentHash, data: data as object, createdAt: clock.now() },
      select: summarySelect,
    });
    await appendAudit(tx, {
      actorId: req.requestedById ?? null, actorName: req.requestedById ? null : req.trigger, action: 'digest_created',
      entityType: 'digest', entityId: row.id,
      after: { periodFrom: from, periodTo: to, trigger: req.trigger, contentHash: data.contentHash },
    }, clock);
    return { ...row, data };
  });
}

export async function getDigest(db: Db, id: string) {
  const row = UUID.test(id) ? await db.digest.findUnique({ where: { id } }) : null;
  if (!row) throw new NotFound('digest');
  return { ...row, data: row.data as unknown as DigestData };
}

/** Newest first; `cursor` is the id of the last digest of the previous page. */
export async function listDigests(db: Db, { limit = 20, cursor }: { limit?: number; cursor?: string | null } = {}) {
  const take = Math.min(Math.max(Math.trunc(limit), 1), 100);
  if (cursor && !UUID.test(cursor)) throw new Invalid([{ field: 'cursor', reason: 'not a digest id' }]);
  const rows = await db.digest.findMany({
    select: summarySelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: take + 1,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  return { items: rows.slice(0, take), nextCursor: rows.length > take ? rows[take - 1].id : null };
}
