// A reviewer's merge takes the two incidents and then moves the other's reports; the workers take a report and then
// its incident. When the two meet, PostgreSQL aborts one of them as a deadlock victim. The merge is then run again
// (it rolled back whole) instead of answering the reviewer with a 503, and so are a tie merge queued by dedup and a
// reviewer's split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../../src/db/client.ts';
import { createUser } from '../../../src/users/index.ts';
import { mergeIncidents, splitReports } from '../../../src/incidents/merge.ts';
import { mergeTiedIncidents } from '../../../src/incidents/auto-merge.ts';
import { createPgPool } from '../../../src/db/pg-tx.ts';
import { createTestDatabase } from '../../helpers/db.ts';
import { insertIncidentWithReports } from '../../helpers/factories.ts';

let t: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let observerId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  db = createDb(t.url, { max: 4 });
  observerId = (await createUser(db, { username: 'obs.retry', password: 'obs-retry-pass-1', role: 'observer' })).id;
});
afterAll(async () => {
  await db?.$disconnect();
  await t?.drop();
});

const clock = { now: () => new Date() };
const termIds = ['hostilities', 'none'];

/**
 * Holds a report of `otherId` as a worker does, waits until `merge` is blocked on it, then asks for `targetId`: a
 * deadlock. This session waits 10 s before looking for one, the merge's the default 1 s, so the merge is the victim.
 */
async function deadlockWith(targetId: string, otherId: string, merge: () => Promise<unknown>) {
  const worker = createDb(t.url, { max: 1 });
  try {
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const holder = worker.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL deadlock_timeout = '10s'`);
        await tx.$queryRaw`SELECT 1 FROM "Report" WHERE "incidentId" = ${otherId}::uuid FOR UPDATE`;
        held();
        // Until the merge waits for the report this transaction holds.
        for (let i = 0; i < 200; i++) {
          const [w] = await tx.$queryRaw<Array<{ n: number }>>`
            SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'`;
          if (w!.n > 0) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await tx.$queryRaw`SELECT 1 FROM "Incident" WHERE "id" = ${targetId}::uuid FOR UPDATE`;
      },
      { timeout: 30_000 },
    );
    await holding;
    const merged = merge();
    const [h, m] = await Promise.allSettled([holder, merged]);
    return { holder: h, merge: m };
  } finally {
    await worker.$disconnect();
  }
}

describe('a merge that PostgreSQL picks as a deadlock victim', () => {
  it("is run again: the reviewer's merge completes with every report, instead of a 503", async () => {
    const a = await insertIncidentWithReports(db, observerId, [{}, {}]);
    const b = await insertIncidentWithReports(db, observerId, [{}, {}, {}]);
    const out = await deadlockWith(a.id, b.id, () =>
      mergeIncidents({ db, clock, termIds }, { id: null, username: 'reviewer' }, a.id, b.id),
    );
    expect(out.holder.status).toBe('fulfilled');
    expect(out.merge).toMatchObject({ status: 'fulfilled', value: { id: a.id } });
    expect(await db.report.count({ where: { incidentId: a.id } })).toBe(5);
    expect((await db.incident.findUniqueOrThrow({ where: { id: b.id } })).mergedIntoId).toBe(a.id);
  });

  it('is run again for a tie merge on the worker pool too', async () => {
    const a = await insertIncidentWithReports(db, observerId, [{}]);
    const b = await insertIncidentWithReports(db, observerId, [{}, {}]);
    const pool = createPgPool(t.url, 1);
    try {
      const out = await deadlockWith(a.id, b.id, () =>
        mergeTiedIncidents({ db, clock, termIds, pool }, a.id, [b.id], 'r-retry'),
      );
      expect(out.holder.status).toBe('fulfilled');
      expect(out.merge).toMatchObject({ status: 'fulfilled', value: { merged: [b.id], skipped: [] } });
    } finally {
      await pool.end();
    }
    expect(await db.report.count({ where: { incidentId: a.id } })).toBe(3);
  });

  it("is run again for a reviewer's split, which takes the incident and then its reports as a merge does", async () => {
    const a = await insertIncidentWithReports(db, observerId, [{}, {}, {}]);
    const out = await deadlockWith(a.id, a.id, () =>
      splitReports({ db, clock, termIds }, { id: null, username: 'reviewer' }, a.id, [a.reportIds[0]!]),
    );
    expect(out.holder.status).toBe('fulfilled');
    expect(out.merge.status).toBe('fulfilled');
    expect(await db.report.count({ where: { incidentId: a.id } })).toBe(2);
  });
});
