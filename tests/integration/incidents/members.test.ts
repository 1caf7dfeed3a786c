// The incident page's API pages an incident's member reports: GET /api/incidents/:id carries the first 50 (observed
// order) and a cursor, GET /api/incidents/:id/reports pages the rest; every member appears once, in order. A large
// incident's answer stays small (it used to inline every member: 21 MB for 35,000 reports).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidentWithReports } from '../../helpers/factories.ts';

const N = 230;
let s: TestServer;
let api: ReturnType<typeof bearer>;
let incident: { id: string; reportIds: string[] };

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  const [observer, member] = await Promise.all([s.makeUser('observer'), s.makeUser('commission')]);
  api = bearer(s.url, member.token);
  // Out of order in time, with ties on observedAt (the id breaks them).
  incident = await insertIncidentWithReports(
    s.rt.db,
    observer.user.id,
    Array.from({ length: N }, (_, i) => ({
      observedAt: new Date(Date.UTC(2020, 10, 14, 5, 0, 0) + ((i * 37) % 101) * 60_000),
    })),
  );
});
afterAll(async () => {
  await s?.close();
});

describe('incident members', () => {
  it('gives the first page with the incident and pages the rest with a cursor, each member once, in observed order', async () => {
    const first = await api.get(`/api/incidents/${incident.id}`);
    expect(first.status).toBe(200);
    expect(first.body.reportCount).toBe(N);
    expect(first.body.reports).toHaveLength(50);
    expect(first.body.reportsNextCursor).toEqual(expect.any(String));
    expect(first.text.length).toBeLessThan(200_000);

    const seen = [...first.body.reports];
    let cursor: string | null = first.body.reportsNextCursor;
    while (cursor) {
      const page = await api.get(`/api/incidents/${incident.id}/reports?limit=60&cursor=${encodeURIComponent(cursor)}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(60);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(seen.map((r) => r.id).sort()).toEqual([...incident.reportIds].sort());
    const order = seen.map((r) => `${r.observedAt}|${r.id}`);
    expect(order).toEqual([...order].sort());
    expect(new Set(seen.map((r) => r.id)).size).toBe(N);
  });

  it('refuses a cursor it did not give, and answers 404 for an unknown incident', async () => {
    expect((await api.get(`/api/incidents/${incident.id}/reports?cursor=nonsense`)).status).toBe(400);
    expect((await api.get(`/api/incidents/${incident.id}/reports?limit=1000`)).status).toBe(400);
    expect((await api.get('/api/incidents/00000000-0000-4000-8000-000000000000/reports')).status).toBe(404);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await api.get('/api/openapi.json');
    expect(doc.body.paths['/api/incidents/{id}/reports'].get).toBeDefined();
    expect(JSON.stringify(doc.body.components.schemas.IncidentDetail)).toContain('reportsNextCursor');
    expect(JSON.stringify(doc.body.paths['/api/incidents/{id}'].get.responses[200])).toContain('IncidentDetail');
  });
});
