// Reports go in through the API; the outbox relay and the real workers (Redis, PostgreSQL) classify them and
// group them into incidents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { createAnalyzer, processReport } from '../../../src/pipeline/index.ts';
import { roadReopened, shellingAr, shellingEn } from '../../helpers/factories.ts';
import { fileAndWaitProcessed, waitFor } from '../../helpers/wait.ts';

let s: TestServer;
let observer: ReturnType<typeof bearer>;
let commission: ReturnType<typeof bearer>;

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  observer = bearer(s.url, (await s.makeUser('observer')).token);
  commission = bearer(s.url, (await s.makeUser('commission')).token);
});
afterAll(async () => {
  await s?.close();
});

const submitAndWait = (body: Record<string, unknown>) => fileAndWaitProcessed(observer, body);

describe('report processing pipeline', () => {
  let en: any;
  let ar: any;
  let road: any;

  it('classifies a report and shows terms, confidence, evidence, stance and its incident', async () => {
    en = await submitAndWait(shellingEn());
    expect(en.language).toBe('en');
    expect(en.resolvedPlace).toBe('Sirte');
    expect(en.classification.stance).toBe('violation');
    const hostilities = en.classification.terms.find((t: any) => t.id === 'hostilities');
    expect(hostilities.confidence).toBeGreaterThan(0.5);
    expect(hostilities.evidence.length).toBeGreaterThan(0);
    for (const e of hostilities.evidence) expect(en.narrative.slice(e.start, e.end)).toBe(e.text);
    expect(en.incidentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(en.assignment.reasons.length).toBeGreaterThan(0);
  });

  it('joins an Arabic report of the same shelling to the same incident', async () => {
    ar = await submitAndWait(shellingAr());
    expect(ar.language).toBe('ar');
    expect(ar.classification.terms.map((t: any) => t.id)).toContain('hostilities');
    expect(ar.incidentId).toBe(en.incidentId);
    expect(ar.assignment.score).toBeGreaterThan(0);
    const incident = await s.rt.db.incident.findUniqueOrThrow({ where: { id: en.incidentId } });
    expect(incident).toMatchObject({
      reportCount: 2,
      languages: ['ar', 'en'],
      terms: ['hostilities'],
      stance: 'violation',
      parties: ['LAAF'],
    });
    expect(incident.summary).toContain('near Sirte');
    expect(incident.firstObservedAt.toISOString()).toBe('2020-11-14T03:40:00.000Z');
    expect(incident.lastObservedAt.toISOString()).toBe('2020-11-14T05:30:00.000Z');
  });

  it('keeps a different incident at the same place and day apart', async () => {
    road = await submitAndWait(roadReopened());
    expect(road.classification.terms.map((t: any) => t.id)).toContain('road_opening');
    expect(road.incidentId).not.toBe(en.incidentId);
    const incident = await s.rt.db.incident.findUniqueOrThrow({ where: { id: road.incidentId } });
    expect(incident).toMatchObject({ reportCount: 1, stance: 'compliance' });
  });

  it('changes nothing when the same report is processed again, through the queue or directly', async () => {
    const snapshot = async () => ({
      reports: await s.rt.db.report.findMany({ orderBy: { id: 'asc' } }),
      incidents: await s.rt.db.incident.findMany({ orderBy: { id: 'asc' } }),
    });
    const before = await snapshot();
    const job = await s.rt.queues
      .get('reports')!
      .add('process-report', { reportId: ar.id }, { jobId: `again-${ar.id}` });
    await waitFor(async () => (await job.isCompleted()) && true, 'job completed');
    expect(job.returnvalue ?? (await s.rt.queues.get('reports')!.getJob(job.id!))?.returnvalue).toBe('unchanged');
    const deps = { db: s.rt.db, clock: s.rt.clock, analyzer: createAnalyzer(s.config.AGREEMENT_ID) };
    expect(await processReport(deps, ar.id)).toBe('unchanged');
    expect(await snapshot()).toEqual(before);
  });

  it('lets a reviewer correction win, moves the incident aggregate, and survives reprocessing', async () => {
    const r = await commission.patch(`/api/reports/${road.id}/classification`, {
      terms: ['road_opening', 'troop_return'],
      stance: 'violation',
      note: 'gate closed again by noon',
    });
    expect(r.status).toBe(200);
    expect(r.body.classification).toMatchObject({ stance: 'violation', corrected: true });
    expect(r.body.classification.terms.map((t: any) => t.id)).toEqual(['road_opening', 'troop_return']);
    const incident = await waitFor(async () => {
      const i = await s.rt.db.incident.findUniqueOrThrow({ where: { id: road.incidentId } });
      return i.stance === 'violation' ? i : null;
    }, 'incident aggregate to follow the correction');
    expect(incident.terms).toEqual(['road_opening', 'troop_return']);
    // A new analyzer version forces a full reprocessing run: the correction still wins.
    const v2 = { ...createAnalyzer(s.config.AGREEMENT_ID), version: 'test-v2' };
    expect(await processReport({ db: s.rt.db, clock: s.rt.clock, analyzer: v2 }, road.id)).toBe('processed');
    const after = (await observer.get(`/api/reports/${road.id}`)).body;
    expect(after.classification).toMatchObject({ stance: 'violation', corrected: true });
    expect(after.classification.automatic.stance).toBe('compliance');
    const row = await s.rt.db.report.findUniqueOrThrow({ where: { id: road.id } });
    expect(row).toMatchObject({
      terms: ['road_opening', 'troop_return'],
      stance: 'violation',
      incidentId: road.incidentId,
    });
    expect(await s.rt.db.auditEvent.count({ where: { action: 'report_corrected', entityId: road.id } })).toBe(1);
  });

  it('refuses corrections from observers and unknown terms', async () => {
    expect(
      (await observer.patch(`/api/reports/${road.id}/classification`, { terms: ['hostilities'], stance: 'violation' }))
        .status,
    ).toBe(403);
    expect(
      (
        await commission.patch(`/api/reports/${road.id}/classification`, {
          terms: ['teleportation'],
          stance: 'violation',
        })
      ).status,
    ).toBe(422);
  });

  it('suggests places for any logged-in user', async () => {
    const r = await observer.get('/api/places?q=surt&limit=3');
    expect(r.status).toBe(200);
    expect(r.body.items[0]).toMatchObject({ name: 'Sirte' });
    expect((await bearer(s.url).get('/api/places?q=sirte')).status).toBe(401);
  });
});
