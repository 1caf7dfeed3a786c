// Field data a reviewer can judge is accepted and flagged, never refused: a skewed phone clock, a mistyped year, a
// point in Paris, swapped latitude and longitude, a typed place far from the point. Through the API and OpenRosa,
// and through the real workers, which judge the position.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { fixedClock } from '../../../src/clock.ts';
import { createAnalyzer, processReport } from '../../../src/pipeline/index.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { collectSubmission, makeReport } from '../../helpers/factories.ts';
import { fileAndWaitProcessed, waitFor } from '../../helpers/wait.ts';

// The server receives everything on 14 Nov 2020 at 10:00 UTC.
const RECEIPT = '2020-11-14T10:00:00.000Z';
let s: TestServer;
let observer: TestUser;
let api: ReturnType<typeof bearer>;

beforeAll(async () => {
  s = await startTestServer({ workers: true, clock: fixedClock(RECEIPT) });
  observer = await s.makeUser('observer');
  api = bearer(s.url, observer.token);
});
afterAll(async () => {
  await s?.close();
});

const collect = (xml: string) => {
  const form = new FormData();
  form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
  const auth = `Basic ${Buffer.from(`${observer.username}:${observer.password}`).toString('base64')}`;
  return fetch(`${s.url}/submission`, { method: 'POST', headers: { authorization: auth }, body: form });
};

describe('a phone clock that is wrong', () => {
  it('15 minutes fast: the report is accepted, observedAt is the receipt time, and the reported time is kept', async () => {
    const res = await api.post('/api/reports', makeReport({ observedAt: '2020-11-14T12:15:00+02:00' }));
    expect(res.status).toBe(201);
    expect(res.body.observedAt).toBe(RECEIPT);
    expect(res.body.flags).toEqual([
      { code: 'clock_ahead', field: 'observedAt', reported: '2020-11-14T12:15:00+02:00', inferred: RECEIPT },
    ]);
  });

  it('a mistyped year in a finalized ODK form: 201, stored on the same day of the year of receipt', async () => {
    const instanceId = randomUUID();
    const res = await collect(
      collectSubmission({ observed_at: '2062-11-14T05:40:00.000+02:00', photo: '' }, { instanceId }),
    );
    expect(res.status).toBe(201);
    const row = await s.rt.db.report.findFirstOrThrow({ where: { clientId: instanceId } });
    expect(row.observedAt.toISOString()).toBe('2020-11-14T03:40:00.000Z');
    expect(row.flags).toEqual([
      {
        code: 'year_mistyped',
        field: 'observedAt',
        reported: '2062-11-14T05:40:00.000+02:00',
        inferred: '2020-11-14T03:40:00.000Z',
      },
    ]);
  });

  it('a retry of the same report is the same report, not a second one flagged again', async () => {
    const body = makeReport({ observedAt: '2099-01-01T00:00:00Z' });
    const first = await api.post('/api/reports', body);
    const again = await api.post('/api/reports', body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.flags).toEqual(first.body.flags);
  });
});

describe('a position that cannot be right', () => {
  it('Paris with "Sirte" typed: stored as reported, mapped and deduplicated at Sirte, flagged', async () => {
    const r = await fileAndWaitProcessed(api, makeReport({ lat: 48.8566, lon: 2.3522, placeName: 'Sirte' }));
    expect([r.lat, r.lon, r.placeName]).toEqual([48.8566, 2.3522, 'Sirte']);
    expect(r.resolvedPlace).toBe('Sirte');
    expect([r.resolvedLat, r.resolvedLon]).toEqual([31.2089, 16.5887]);
    expect(r.flags).toEqual([
      {
        code: 'outside_area',
        field: 'position',
        reported: { lat: 48.8566, lon: 2.3522, placeName: 'Sirte' },
        inferred: { lat: 31.2089, lon: 16.5887, place: 'Sirte', placeAr: 'سرت' },
      },
    ]);
  });

  it('Paris with no place typed is not "near Ras Ajdir": no place is made up', async () => {
    const r = await fileAndWaitProcessed(
      api,
      makeReport({ lat: 48.8566, lon: 2.3522, placeName: undefined, narrative: 'Shots heard at night.' }),
    );
    expect(r.resolvedPlace).toBeNull();
    expect(r.flags[0]).toMatchObject({ code: 'outside_area', inferred: null });
  });

  it('swapped latitude and longitude with "Sirte" typed: Sirte, not Kufra', async () => {
    const r = await fileAndWaitProcessed(api, makeReport({ lat: 16.588, lon: 31.205, placeName: 'Sirte' }));
    expect(r.resolvedPlace).toBe('Sirte');
    expect([r.resolvedLat, r.resolvedLon]).toEqual([31.205, 16.588]);
    expect(r.flags.map((f: { code: string }) => f.code)).toEqual(['swapped_coordinates']);
  });

  it('"Sirte" typed at a point near Kufra over OpenRosa: the point is kept, the disagreement flagged', async () => {
    const instanceId = randomUUID();
    const res = await collect(
      collectSubmission({ location: '24.2 23.3 0 8', place_name: 'Sirte', photo: '' }, { instanceId }),
    );
    expect(res.status).toBe(201);
    const row = await waitFor(
      () => s.rt.db.report.findFirst({ where: { clientId: instanceId, status: 'processed' } }),
      'the OpenRosa report processed',
    );
    expect(row.resolvedPlace).toBe('Kufra');
    expect(row.flags).toMatchObject([
      { code: 'place_mismatch', inferred: { place: 'Kufra', typedPlace: 'Sirte', typedPlaceAr: 'سرت' } },
    ]);
  });

  it('a rerun replaces the position flags and keeps the clock flags intake set', async () => {
    const r = await fileAndWaitProcessed(
      api,
      makeReport({ lat: 16.588, lon: 31.205, placeName: 'Sirte', observedAt: '2020-11-14T15:00:00+02:00' }),
    );
    expect(r.flags.map((f: { code: string }) => f.code).sort()).toEqual(['clock_ahead', 'swapped_coordinates']);
    const v2 = { ...createAnalyzer(s.config.AGREEMENT_ID), version: 'test-v2' };
    expect(await processReport({ db: s.rt.db, clock: s.rt.clock, analyzer: v2 }, r.id)).toBe('processed');
    const again = (await api.get(`/api/reports/${r.id}`)).body;
    expect(again.flags.map((f: { code: string }) => f.code)).toEqual(['clock_ahead', 'swapped_coordinates']);
  });
});

describe('what is still refused', () => {
  it('a report with no narrative at all, naming the field', async () => {
    const res = await api.post('/api/reports', makeReport({ narrative: ' ' }));
    expect(res.status).toBe(422);
    expect(res.body.error.issues[0].field).toBe('narrative');
  });

  it("OpenRosa errors name the form's questions, not the API's fields", async () => {
    const res = await collect(
      collectSubmission({ narrative: '', observed_at: 'yesterday', photo: '' }, { instanceId: randomUUID() }),
    );
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text).toContain('observed_at');
    expect(text).not.toMatch(/observedAt|clientId/);
  });
});
