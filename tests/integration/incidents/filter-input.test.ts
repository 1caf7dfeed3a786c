// Abuse suite, filter input: text filters match the characters typed (a `%` or `_` is not a wildcard), and dates
// PostgreSQL cannot store, days no calendar has and times without an offset are the client's error (400 naming the
// field), not a 500 nor a time read in the server's zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { incidentRow, reportRow } from '../../helpers/factories.ts';

let s: TestServer;
let member: TestUser;
let observer: TestUser;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  member = await s.makeUser('commission');
  observer = await s.makeUser('observer');
  for (const placeName of ['Sirte', 'Ras Lanuf', '100% Road_km 7']) {
    const incident = incidentRow({ placeName });
    await s.rt.db.incident.create({ data: incident });
    await s.rt.db.report.create({ data: reportRow(observer.user.id, { placeName, incidentId: incident.id }) });
  }
});
afterAll(async () => {
  await s?.close();
});

const places = (items: Array<{ placeName: string | null }>) => items.map((i) => i.placeName).sort();

describe('text filters', () => {
  it.each([
    ['%', ['100% Road_km 7']],
    ['_', ['100% Road_km 7']],
    ['%_%', []],
    ['s%e', []],
    ['\\', []],
    ['ras', ['Ras Lanuf']],
  ])('place=%s on incidents and reports matches it literally', async (typed, expected) => {
    const api = bearer(s.url, member.token);
    const incidents = await api.get(`/api/incidents?place=${encodeURIComponent(typed)}`);
    expect(incidents.status).toBe(200);
    expect(places(incidents.body.items)).toEqual(expected);
    const reports = await api.get(`/api/reports?place=${encodeURIComponent(typed)}`);
    expect(reports.status).toBe(200);
    expect(places(reports.body.items)).toEqual(expected);
  });
});

describe('dates outside what can be stored', () => {
  it.each([
    '/api/incidents?from=0000-01-01T00:00:00Z',
    '/api/incidents?to=275760-09-13T00:00:00Z',
    '/api/incidents?from=0001-01-01',
    '/api/reports?from=0000-01-01T00:00:00Z',
    '/api/exports/incidents.csv?from=0000-01-01T00:00:00Z',
  ])('%s answers 400 naming the field', async (path) => {
    const r = await bearer(s.url, member.token).get(path);
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].field).toMatch(/^(from|to)$/);
  });
  it('a digest period beyond a year or before 1900 is refused', async () => {
    const api = bearer(s.url, member.token);
    expect((await api.post('/api/digests', { from: '0000-01-01', to: '2020-11-08' })).status).toBe(422);
    expect((await api.post('/api/digests', { from: '2019-01-01', to: '2020-11-08' })).status).toBe(422);
  });
});

describe('dates no calendar has, and times without an offset', () => {
  it.each([
    ['to=2020-02-30', 'to', /not a calendar date/],
    ['from=2021-02-29', 'from', /not a calendar date/],
    ['from=2020-11-31', 'from', /not a calendar date/],
    ['from=2020-11-14T10:30', 'from', /offset/],
    [`from=${encodeURIComponent('foo T 2020')}`, 'from', /YYYY-MM-DD/],
  ])('%s answers 400 naming %s on the queue, the reports and the exports', async (query, field, reason) => {
    for (const path of ['/api/incidents', '/api/incidents/map', '/api/reports', '/api/exports/incidents.csv']) {
      const r = await bearer(s.url, member.token).get(`${path}?${query}`);
      expect(r.status, `${path}: ${r.text}`).toBe(400);
      expect(r.body.error.issues).toEqual([{ field, reason: expect.stringMatching(reason) }]);
    }
  });

  it('a digest period and the audit log refuse them too', async () => {
    const api = bearer(s.url, member.token);
    const digest = await api.post('/api/digests', { from: '2020-11-02', to: '2020-11-31' });
    expect(digest.status).toBe(422);
    expect(digest.body.error.issues).toEqual([{ field: 'to', reason: expect.stringMatching(/not a calendar date/) }]);
    const audit = await api.get('/api/audit?from=2020-02-30');
    expect(audit.status).toBe(400);
    expect(audit.body.error.issues).toEqual([{ field: 'from', reason: expect.stringMatching(/not a calendar date/) }]);
  });

  it('a leap day and a date-time with its offset are fine', async () => {
    for (const query of [
      'from=2020-02-29',
      `to=${encodeURIComponent('2020-11-14T10:30:00+02:00')}`,
      'to=2020-11-14T08:30Z',
    ])
      expect((await bearer(s.url, member.token).get(`/api/incidents?${query}`)).status).toBe(200);
  });
});
