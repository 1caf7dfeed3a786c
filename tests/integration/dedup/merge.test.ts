// A late report that ties two incidents merges them: queued by the pipeline in the report's transaction, merged by
// a job through the reviewers' merge (audited under "dedup", reversible by a split), never against a reviewer's
// separation. A toy pair model (place and time only) makes the decisions plain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';
import { PAIR_FEATURES } from '../../../src/dedup/pair.ts';
import { loadPairModel, setPairModel, type PairModel } from '../../../src/dedup/pair-model.ts';
import { mergeTiedIncidents } from '../../../src/incidents/auto-merge.ts';
import { verifyAuditChain } from '../../../src/audit/index.ts';
import { createPgPool } from '../../../src/db/pg-tx.ts';

const weight: Record<string, number> = {
  bias: -3,
  gap_le1h: 2,
  gap_le3h: 2,
  km_le1: 2,
  km_le3: 2,
  km_le10: 1.5,
  km_le25: 1.5,
};
const toy: PairModel = {
  features: [...PAIR_FEATURES],
  weights: PAIR_FEATURES.map((f) => weight[f] ?? 0),
  threshold: 0.6,
  mergeThreshold: 0.6,
  trainedOn: { pairs: 0, positives: 0, dataSha256: 'toy' },
};

let s: TestServer;
let observer: TestUser;
let member: TestUser;
const shipped = loadPairModel('libya-2020');

beforeAll(async () => {
  setPairModel('libya-2020', toy);
  s = await startTestServer({ workers: true });
  observer = await s.makeUser('observer');
  member = await s.makeUser('commission');
}, 120_000);
afterAll(async () => {
  setPairModel('libya-2020', shipped);
  await s?.close();
});

async function file(lat: number, narrative: string, at = '2021-02-03T08:00:00+02:00'): Promise<string> {
  const r = await bearer(s.url, observer.token).post(
    '/api/reports',
    makeReport({ narrative, observedAt: at, lat, lon: 16.58, placeName: undefined }),
  );
  expect(r.status).toBe(201);
  await expect
    .poll(async () => (await s.rt.db.report.findUniqueOrThrow({ where: { id: r.body.id } })).incidentId, {
      timeout: 30_000,
      interval: 100,
    })
    .toBeTruthy();
  return r.body.id;
}
const incidentOf = async (id: string) => (await s.rt.db.report.findUniqueOrThrow({ where: { id } })).incidentId!;

describe('a report that ties two incidents', () => {
  it('merges them, audited under dedup, and a reviewer can split them again', async () => {
    const a = await file(31.2, 'Gunfire heard south of the town at dawn.');
    const b = await file(31.56, 'Vehicles burning on the road north, smoke visible.');
    const [ia, ib] = [await incidentOf(a), await incidentOf(b)];
    expect(ia).not.toBe(ib);
    const c = await file(31.38, 'Clashes between two groups on the road, vehicles burning, gunfire since dawn.');
    await expect
      .poll(async () => new Set([await incidentOf(a), await incidentOf(b), await incidentOf(c)]).size, {
        timeout: 30_000,
        interval: 200,
      })
      .toBe(1);
    const survivor = await incidentOf(c);
    const merged = survivor === ia ? ib : ia;
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: merged } })).mergedIntoId).toBe(survivor);
    const audit = await s.rt.db.auditEvent.findFirstOrThrow({
      where: { action: 'incident_merged', entityId: survivor },
    });
    expect(audit).toMatchObject({
      actorId: null,
      actorName: 'dedup',
      after: expect.objectContaining({ mergedId: merged, why: `report ${c} matched both` }),
    });
    // The worker appended the merge's audit row on its own node-postgres connection: the chain still verifies.
    expect(await verifyAuditChain(s.rt.db)).toMatchObject({ ok: true });
    // Reversible: a reviewer splits the report back out.
    const split = await bearer(s.url, member.token).post(`/api/incidents/${survivor}/split`, {
      reportIds: [merged === ia ? a : b],
    });
    expect(split.status).toBe(201);
  });

  it('never merges incidents a reviewer separated', async () => {
    const a = await file(31.2, 'Shots at the checkpoint.', '2021-03-05T08:00:00+02:00');
    const b = await file(31.56, 'Shots near the farms.', '2021-03-05T08:00:00+02:00');
    const [ia, ib] = [await incidentOf(a), await incidentOf(b)];
    const [x, y] = [ia, ib].sort() as [string, string];
    await s.rt.db.incidentSeparation.create({ data: { incidentA: x, incidentB: y } });
    const out = await mergeTiedIncidents(
      { db: s.rt.db, clock: s.rt.clock, termIds: ['hostilities', 'none'] },
      ia,
      [ib],
      'r-1',
    );
    expect(out).toEqual({ merged: [], skipped: [{ id: ib, reason: 'a reviewer separated them' }] });
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: ib } })).mergedIntoId).toBeNull();
    // The same on a worker's node-postgres pool, where the check runs under the merge's own lock.
    const pool = createPgPool(s.rt.config.DATABASE_URL, 1);
    try {
      const viaPool = await mergeTiedIncidents(
        { db: s.rt.db, clock: s.rt.clock, termIds: ['hostilities', 'none'], pool },
        ib,
        [ia],
        'r-2',
      );
      expect(viaPool).toEqual({ merged: [], skipped: [{ id: ia, reason: 'a reviewer separated them' }] });
    } finally {
      await pool.end();
    }
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: ia } })).mergedIntoId).toBeNull();
  });

  it('follows an incident merged since the tie to its survivor, and merges each pair once', async () => {
    const at = '2021-04-07T08:00:00+02:00';
    const [a, b, c] = [
      await file(31.2, 'Mortar rounds landed near the farms.', at),
      await file(31.56, 'Explosions north of the town.', at),
      await file(31.9, 'Smoke over the coast road.', at),
    ];
    const [ia, ib, ic] = [await incidentOf(a), await incidentOf(b), await incidentOf(c)];
    expect(new Set([ia, ib, ic]).size).toBe(3);
    const pool = createPgPool(s.rt.config.DATABASE_URL, 1);
    const deps = { db: s.rt.db, clock: s.rt.clock, termIds: ['hostilities', 'none'], pool };
    try {
      // b goes into a; a tie naming b and c then lands in a, and a second run of it changes nothing.
      expect(await mergeTiedIncidents(deps, ia, [ib], 'r-3')).toEqual({ merged: [ib], skipped: [] });
      expect(await mergeTiedIncidents(deps, ib, [ic], 'r-4')).toEqual({ merged: [ic], skipped: [] });
      expect(await mergeTiedIncidents(deps, ib, [ic], 'r-4')).toEqual({ merged: [], skipped: [] });
    } finally {
      await pool.end();
    }
    for (const r of [a, b, c]) expect(await incidentOf(r)).toBe(ia);
    const survivor = await s.rt.db.incident.findUniqueOrThrow({ where: { id: ia } });
    expect(survivor.reportCount).toBe(3);
    const merges = await s.rt.db.auditEvent.findMany({ where: { action: 'incident_merged', entityId: ia } });
    expect(merges.map((m) => (m.after as { mergedId: string }).mergedId).sort()).toEqual([ib, ic].sort());
    expect(await verifyAuditChain(s.rt.db)).toMatchObject({ ok: true });
  });
});
