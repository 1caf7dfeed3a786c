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
import { separatedFrom } from '../../../src/incidents/repository.ts';
import { verifyAuditChain } from '../../../src/audit/index.ts';
import { createPgPool } from '../../../src/db/pg-tx.ts';
import { processReport } from '../../../src/pipeline/process.ts';
import { createAnalyzer } from '../../../src/pipeline/analyzer.ts';

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

/** Waits until the workers have put all the given reports into one incident (a tie and its merge are queued). */
const oneIncident = (...reports: string[]) =>
  expect
    .poll(async () => new Set(await Promise.all(reports.map(incidentOf))).size, { timeout: 30_000, interval: 200 })
    .toBe(1);

/** Three reports at once, far enough apart (the toy model's place and time) to start three incidents. */
async function threeIncidents(at: string, narratives: [string, string, string]) {
  const reports = [
    await file(31.2, narratives[0], at),
    await file(31.56, narratives[1], at),
    await file(31.9, narratives[2], at),
  ];
  const incidents = [await incidentOf(reports[0]!), await incidentOf(reports[1]!), await incidentOf(reports[2]!)];
  expect(new Set(incidents).size).toBe(3);
  return { reports, incidents };
}
const separate = (one: string, other: string) => {
  const [x, y] = [one, other].sort() as [string, string];
  return s.rt.db.incidentSeparation.create({ data: { incidentA: x, incidentB: y } });
};

describe('a report that ties two incidents', () => {
  it('merges them, audited under dedup, and a reviewer can split them again', async () => {
    const a = await file(31.2, 'Gunfire heard south of the town at dawn.');
    const b = await file(31.56, 'Vehicles burning on the road north, smoke visible.');
    const [ia, ib] = [await incidentOf(a), await incidentOf(b)];
    expect(ia).not.toBe(ib);
    const c = await file(31.38, 'Clashes between two groups on the road, vehicles burning, gunfire since dawn.');
    await oneIncident(a, b, c);
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
    // No human decided it: the moved reports stay unpinned, so a rerun for a new model may reconsider them.
    const pins = await s.rt.db.report.findMany({ where: { id: { in: [a, b, c] } }, select: { incidentPinned: true } });
    expect(pins.map((p) => p.incidentPinned)).toEqual([false, false, false]);
    // The worker appended the merge's audit row on its own node-postgres connection: the chain still verifies.
    expect(await verifyAuditChain(s.rt.db)).toMatchObject({ ok: true });
    // Reversible: a reviewer splits the report back out.
    const split = await bearer(s.url, member.token).post(`/api/incidents/${survivor}/split`, {
      reportIds: [merged === ia ? a : b],
    });
    expect(split.status).toBe(201);
  });

  it("keeps a reviewer's split when a rerun takes a merged report out into its own incident", async () => {
    const at = '2021-06-02T08:00:00+02:00';
    const a = await file(31.2, 'Gunfire south of the town.', at);
    const b = await file(31.56, 'Burning vehicles north of the town.', at);
    const c = await file(31.38, 'Clashes on the road, gunfire and burning vehicles.', at);
    await oneIncident(a, b, c);
    const merged = await incidentOf(c);
    // A reviewer splits b out: b's new incident is declared another incident than the one a and c stay in.
    const split = await bearer(s.url, member.token).post(`/api/incidents/${merged}/split`, { reportIds: [b] });
    expect(split.status).toBe(201);
    const apart = await incidentOf(b);
    expect(await separatedFrom(s.rt.db, merged)).toContain(apart);
    // A new model that joins nothing: a rerun of a (moved by dedup, so not pinned) opens an incident of its own.
    setPairModel('libya-2020', { ...toy, weights: toy.weights.map((_, i) => (i === 0 ? -20 : 0)) });
    try {
      const v2 = { ...createAnalyzer('libya-2020'), version: 'test-split-rerun' };
      expect(await processReport({ db: s.rt.db, clock: s.rt.clock, analyzer: v2 }, a)).toBe('processed');
    } finally {
      setPairModel('libya-2020', toy);
    }
    const own = await incidentOf(a);
    expect(own).not.toBe(merged);
    // It was judged with the reports the reviewer split b from: it stays apart from b's incident too.
    expect(await separatedFrom(s.rt.db, own)).toContain(apart);
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

  it("keeps a reviewer's separation after either incident is merged elsewhere, and across one tie of three", async () => {
    const {
      reports: [a, b],
      incidents: [ia, ib, ic],
    } = await threeIncidents('2021-05-09T08:00:00+02:00', [
      'Tracer fire over the farms.',
      'Heavy machine gun north of the town.',
      'Shooting on the coast road.',
    ]);
    await separate(ia!, ib!);
    const pool = createPgPool(s.rt.config.DATABASE_URL, 1);
    const deps = { db: s.rt.db, clock: s.rt.clock, termIds: ['hostilities', 'none'], pool };
    try {
      // b goes into c (a tie), then a tie of c and a: a's reports must not join b's through c.
      expect(await mergeTiedIncidents(deps, ic, [ib], 'r-5')).toEqual({ merged: [ib], skipped: [] });
      expect(await mergeTiedIncidents(deps, ic, [ia], 'r-6')).toEqual({
        merged: [],
        skipped: [{ id: ia, reason: 'a reviewer separated them' }],
      });
    } finally {
      await pool.end();
    }
    expect(await incidentOf(a)).not.toBe(await incidentOf(b));
    // Dedup reads the separation from the survivor too: c's candidate row names a.
    expect(await separatedFrom(s.rt.db, ic)).toContain(ia);
  });

  it('merges only one of two incidents a reviewer separated when one tie names both', async () => {
    const {
      reports: [, b, c],
      incidents: [ia, ib, ic],
    } = await threeIncidents('2021-05-19T08:00:00+02:00', [
      'Rockets landed near the camp.',
      'Explosions heard at the port.',
      'Artillery near the airstrip.',
    ]);
    await separate(ib!, ic!);
    const out = await mergeTiedIncidents(
      { db: s.rt.db, clock: s.rt.clock, termIds: ['hostilities', 'none'] },
      ia,
      [ib, ic],
      'r-7',
    );
    expect(out.merged).toHaveLength(1);
    expect(out.skipped).toEqual([{ id: expect.any(String), reason: 'a reviewer separated them' }]);
    expect(await incidentOf(b)).not.toBe(await incidentOf(c));
  });

  it('follows an incident merged since the tie to its survivor, and merges each pair once', async () => {
    const {
      reports: [a, b, c],
      incidents: [ia, ib, ic],
    } = await threeIncidents('2021-04-07T08:00:00+02:00', [
      'Mortar rounds landed near the farms.',
      'Explosions north of the town.',
      'Smoke over the coast road.',
    ]);
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
