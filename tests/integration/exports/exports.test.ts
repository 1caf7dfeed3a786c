// Exports parsed back (csv-parse, JSON.parse) and checked against the database; more rows than one read
// batch so the batched cursor is exercised; each download audited.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH } from '../../../src/exports/batches.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidentWithReports, insertIncidents } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
let api: ReturnType<typeof bearer>;
let verified: { id: string; reportIds: string[] };
const AR = 'قصف مدفعي قرب سرت، "عنيف" جداً';
const TRICKY = 'Convoy of 12 trucks, "armed"; seen at dawn\nsecond line';

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  [observer, member] = await Promise.all([s.makeUser('observer'), s.makeUser('commission')]);
  api = bearer(s.url, member.token);
  // More incidents than one batch, so an export spans several reads.
  await insertIncidents(
    s.rt.db,
    Array.from({ length: BATCH + 250 }, (_, n) => ({
      severity: n % 6,
      terms: [n % 2 ? 'hostilities' : 'road_opening'],
    })),
  );
  verified = await insertIncidentWithReports(
    s.rt.db,
    observer.user.id,
    [
      { narrative: AR, language: 'ar', casualties: { killed: 2, injured: 3 } },
      { narrative: TRICKY, lat: null, lon: null, resolvedLat: 30.4, resolvedLon: 19.6, resolvedPlace: 'Brega' },
      { narrative: 'No position at all', lat: null, lon: null },
    ],
    {
      state: 'verified',
      terms: ['arms_transfer'],
      parties: ['GNA', 'LAAF'],
      languages: ['ar', 'en'],
      placeName: 'Brega',
    },
  );
  const [gone] = await insertIncidents(s.rt.db, [{ state: 'verified', mergedIntoId: verified.id }]);
  expect(gone).toBeTruthy();
});
afterAll(async () => {
  await s?.close();
});

const csv = (text: string) => parse(text, { columns: true, bom: true }) as Array<Record<string, string>>;

describe('incidents export', () => {
  it('CSV holds every live incident, with the database values', async () => {
    const r = await api.get('/api/exports/incidents.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="incidents-\d{8}-\d{4}\.csv"$/);
    const rows = csv(r.text);
    expect(rows).toHaveLength(await s.rt.db.incident.count({ where: { mergedIntoId: null } }));
    expect(new Set(rows.map((x) => x.id)).size).toBe(rows.length);
    const db = await s.rt.db.incident.findUniqueOrThrow({ where: { id: verified.id } });
    expect(rows.find((x) => x.id === verified.id)).toEqual({
      id: db.id,
      state: 'verified',
      assignee: '',
      terms: 'arms_transfer',
      stance: 'violation',
      parties: 'GNA;LAAF',
      confidence: String(db.confidence),
      severity: String(db.severity),
      lat: String(db.lat),
      lon: String(db.lon),
      placeName: 'Brega',
      firstObservedAt: db.firstObservedAt.toISOString(),
      lastObservedAt: db.lastObservedAt.toISOString(),
      reportCount: '3',
      languages: 'ar;en',
      corrected: 'false',
      summary: db.summary,
    });
  });

  it('honours the queue filters', async () => {
    const rows = csv((await api.get('/api/exports/incidents.csv?term=hostilities&minConfidence=0.5')).text);
    expect(rows.map((x) => x.id).sort()).toEqual(
      (
        await s.rt.db.incident.findMany({
          where: { terms: { has: 'hostilities' }, confidence: { gte: 0.5 }, mergedIntoId: null },
          select: { id: true },
        })
      )
        .map((x) => x.id)
        .sort(),
    );
    expect(rows.length).toBeGreaterThan(BATCH / 2);
  });

  it('GeoJSON parses to a FeatureCollection of the same incidents', async () => {
    const r = await api.get('/api/exports/incidents.geojson?state=verified');
    expect(r.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    const fc = JSON.parse(r.text);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(1);
    const db = await s.rt.db.incident.findUniqueOrThrow({ where: { id: verified.id } });
    expect(fc.features[0]).toMatchObject({
      type: 'Feature',
      id: verified.id,
      geometry: { type: 'Point', coordinates: [db.lon, db.lat] },
      properties: { state: 'verified', terms: ['arms_transfer'], parties: ['GNA', 'LAAF'], reportCount: 3 },
    });
  });
});

describe('reports export', () => {
  it('CSV keeps Arabic, commas, quotes and newlines intact, with casualties in columns', async () => {
    const rows = csv((await api.get('/api/exports/reports.csv?state=verified')).text);
    expect(rows.map((x) => x.id).sort()).toEqual([...verified.reportIds].sort());
    const byNarrative = Object.fromEntries(rows.map((x) => [x.narrative, x]));
    expect(byNarrative[AR]).toMatchObject({
      incidentId: verified.id,
      incidentState: 'verified',
      language: 'ar',
      killed: '2',
      injured: '3',
      missing: '',
    });
    expect(byNarrative[TRICKY]).toMatchObject({ resolvedPlace: 'Brega', lat: '', resolvedLat: '30.4' });
    const total = csv((await api.get('/api/exports/reports.csv')).text);
    expect(total).toHaveLength(await s.rt.db.report.count({ where: { incident: { mergedIntoId: null } } }));
  });

  it('says which version of a report it holds: one its observer edited since sending is not shown as first filed', async () => {
    const edited = verified.reportIds[0]!;
    await s.rt.db.report.update({ where: { id: edited }, data: { version: 2 } });
    const rows = csv((await api.get('/api/exports/reports.csv?state=verified')).text);
    expect(Object.fromEntries(rows.map((x) => [x.id, x.version]))).toEqual(
      Object.fromEntries(verified.reportIds.map((id) => [id, id === edited ? '2' : '1'])),
    );
    const fc = JSON.parse((await api.get('/api/exports/reports.geojson?state=verified')).text);
    const shown = fc.features.find((f: { properties: { id: string } }) => f.properties.id === edited);
    expect(shown.properties.version).toBe(2);
  });

  it('GeoJSON places a report by GPS, else by its resolved place, else without geometry', async () => {
    const fc = JSON.parse((await api.get('/api/exports/reports.geojson?state=verified')).text);
    const byNarrative = Object.fromEntries(
      fc.features.map((f: { properties: { narrative: string } }) => [f.properties.narrative, f]),
    );
    expect(byNarrative[AR].geometry.coordinates).toEqual([16.6, 31.2]);
    expect(byNarrative[TRICKY].geometry.coordinates).toEqual([19.6, 30.4]);
    expect(byNarrative['No position at all'].geometry).toBeNull();
  });
});

describe('access and audit', () => {
  it('observers get 403, admins may export, unknown files 404, bad filters 400', async () => {
    expect((await bearer(s.url, observer.token).get('/api/exports/incidents.csv')).status).toBe(403);
    const admin = await s.makeUser('admin');
    expect((await bearer(s.url, admin.token).get('/api/exports/reports.geojson')).status).toBe(200);
    expect((await api.get('/api/exports/incidents.xlsx')).status).toBe(404);
    expect((await api.get('/api/exports/incidents.csv?bbox=1,2')).status).toBe(400);
  });

  it('records each download with who, which file and which filters', async () => {
    const before = await s.rt.db.auditEvent.count({ where: { action: 'export_downloaded' } });
    await api.get('/api/exports/incidents.geojson?term=hostilities&state=new');
    const rows = await s.rt.db.auditEvent.findMany({ where: { action: 'export_downloaded' }, orderBy: { seq: 'asc' } });
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      actorId: member.user.id,
      actorName: member.username,
      entityType: 'export',
      entityId: 'incidents.geojson',
      after: { kind: 'incidents', format: 'geojson', filters: { term: 'hostilities', state: ['new'] } },
    });
  });
});
