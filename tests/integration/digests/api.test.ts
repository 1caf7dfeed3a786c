// Digest HTTP routes over a known fixture: POST → 201 {id}; GET as JSON (figures per term asserted exactly),
// HTML (en/ar) and PDF; listing, roles, validation, audit and reproducibility.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidents } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
let api: ReturnType<typeof bearer>;

const day = (iso: string) => ({ firstObservedAt: new Date(iso), lastObservedAt: new Date(iso) });

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  [observer, member] = await Promise.all([s.makeUser('observer'), s.makeUser('commission')]);
  api = bearer(s.url, member.token);
  await insertIncidents(s.rt.db, [
    { terms: ['hostilities'], stance: 'violation', state: 'verified', ...day('2020-11-03T10:00:00Z') },
    { terms: ['hostilities'], stance: 'violation', state: 'new', ...day('2020-11-04T10:00:00Z') },
    { terms: ['hostilities'], stance: 'compliance', state: 'under_review', ...day('2020-11-05T10:00:00Z') },
    { terms: ['road_opening'], stance: 'compliance', state: 'verified', ...day('2020-11-06T10:00:00Z') },
    { terms: ['hostilities'], stance: 'violation', state: 'rejected', ...day('2020-11-07T10:00:00Z') },
    // 8 November 23:30 in Tripoli: inside a period whose `to` is the date 2020-11-08.
    { terms: ['mines_uxo'], stance: 'violation', state: 'verified', ...day('2020-11-08T21:30:00Z') },
    // Outside the period.
    { terms: ['hostilities'], stance: 'violation', state: 'verified', ...day('2020-10-20T10:00:00Z') },
    { terms: ['hostilities'], stance: 'violation', state: 'verified', ...day('2020-11-08T22:30:00Z') },
  ]);
});
afterAll(async () => {
  await s?.close();
});

async function compile(body: unknown = { from: '2020-11-02', to: '2020-11-08' }) {
  const r = await api.post('/api/digests', body);
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

describe('POST /api/digests', () => {
  it('compiles and stores a digest: 201 {id} with its location, audited', async () => {
    const r = await api.post('/api/digests', { from: '2020-11-02', to: '2020-11-08' });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body)).toEqual(['id']);
    expect(r.headers.get('location')).toBe(`/api/digests/${r.body.id}`);
    const row = await s.rt.db.digest.findUniqueOrThrow({ where: { id: r.body.id } });
    expect(row).toMatchObject({
      trigger: 'on_demand',
      requestedById: member.user.id,
      periodFrom: new Date('2020-11-01T22:00:00Z'),
      periodTo: new Date('2020-11-08T22:00:00Z'),
    });
    const audit = await s.rt.db.auditEvent.findFirst({ where: { action: 'digest_created', entityId: r.body.id } });
    expect(audit?.actorId).toBe(member.user.id);
  });

  it('is reproducible: the same data and range give the same content hash', async () => {
    const [a, b] = [await compile(), await compile()];
    const rows = await s.rt.db.digest.findMany({ where: { id: { in: [a, b] } }, select: { contentHash: true } });
    expect(rows[0]!.contentHash).toBe(rows[1]!.contentHash);
  });

  it('refuses observers (403), bad ranges and bodies (422); admins may compile', async () => {
    expect(
      (await bearer(s.url, observer.token).post('/api/digests', { from: '2020-11-02', to: '2020-11-08' })).status,
    ).toBe(403);
    expect((await bearer(s.url, observer.token).get('/api/digests')).status).toBe(403);
    expect((await api.post('/api/digests', { from: '2020-11-08', to: '2020-11-02' })).status).toBe(422);
    expect((await api.post('/api/digests', { from: 'last week', to: '2020-11-02' })).status).toBe(422);
    expect((await api.post('/api/digests', { from: '2020-11-02' })).status).toBe(422);
    const admin = await s.makeUser('admin');
    expect(
      (
        await bearer(s.url, admin.token).post('/api/digests', {
          from: '2020-11-02T00:00:00+02:00',
          to: '2020-11-09T00:00:00+02:00',
        })
      ).status,
    ).toBe(201);
  });
});

describe('GET /api/digests/:id', () => {
  it('JSON has, per term id, violations, compliance and verified counts of the fixture', async () => {
    const id = await compile();
    const r = await api.get(`/api/digests/${id}?format=json`);
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(id);
    const pick = (t: { violations: number; compliance: number; verified: number }) => ({
      violations: t.violations,
      compliance: t.compliance,
      verified: t.verified,
    });
    expect(pick(r.body.terms.hostilities)).toEqual({ violations: 2, compliance: 1, verified: 1 });
    expect(pick(r.body.terms.road_opening)).toEqual({ violations: 0, compliance: 1, verified: 1 });
    expect(pick(r.body.terms.mines_uxo)).toEqual({ violations: 1, compliance: 0, verified: 1 });
    expect(pick(r.body.terms.arms_transfer)).toEqual({ violations: 0, compliance: 0, verified: 0 });
    expect(r.body.terms.hostilities.rejected).toBe(1);
    expect((await api.get(`/api/digests/${id}`)).body.terms.hostilities.violations).toBe(2); // json is the default
  });

  it('HTML in English and Arabic (right-to-left) with inline SVG', async () => {
    const id = await compile();
    const en = await api.get(`/api/digests/${id}?format=html`);
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toMatch(/^text\/html/);
    expect(en.text).toContain('<html lang="en" dir="ltr"');
    expect(en.text).toContain('<svg');
    const ar = await api.get(`/api/digests/${id}?format=html&lang=ar`);
    expect(ar.text).toContain('<html lang="ar" dir="rtl"');
  });

  it('carries the audit row of its creation as an anchor (seq:hash) that audit:verify can check later', async () => {
    const id = await compile();
    const row = await s.rt.db.auditEvent.findFirst({
      where: { entityType: 'digest', entityId: id, action: 'digest_created' },
    });
    const anchor = `${row!.seq}:${row!.hash}`;
    expect((await api.get(`/api/digests/${id}?format=json`)).body.auditAnchor).toEqual({
      seq: String(row!.seq),
      hash: row!.hash,
    });
    expect((await api.get(`/api/digests/${id}?format=html`)).text).toContain(`<code>${anchor}</code>`);
    expect((await api.get(`/api/digests/${id}?format=html&lang=ar`)).text).toContain(anchor);
  });

  it('PDF starts with %PDF', async () => {
    const id = await compile();
    const r = await fetch(`${s.url}/api/digests/${id}?format=pdf&lang=ar`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(bytes.length).toBeGreaterThan(1000);
  });

  it('404 for an unknown digest, 400 for an unknown format', async () => {
    expect((await api.get('/api/digests/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await api.get(`/api/digests/${await compile()}?format=docx`)).status).toBe(400);
  });
});

describe('GET /api/digests', () => {
  it('lists stored digests newest first', async () => {
    const id = await compile({ from: '2020-10-26', to: '2020-11-01' });
    const r = await api.get('/api/digests?limit=100');
    expect(r.status).toBe(200);
    expect(r.body.items[0]).toMatchObject({ id, trigger: 'on_demand', periodFrom: '2020-10-25T22:00:00.000Z' });
    expect(r.body.items.length).toBe(await s.rt.db.digest.count());
  });
});
