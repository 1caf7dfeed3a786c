// GET /api/audit against real PostgreSQL: who may read it, newest first, every filter, keyset pages that neither
// skip nor repeat while rows are appended, and bad queries refused naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidents } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
let member2: TestUser;
let admin: TestUser;
let incidents: string[];

type Row = { seq: string; action: string; actorName: string | null; entityType: string; entityId: string | null };
type Page = { items: Row[]; nextCursor: string | null };

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  [observer, member, member2, admin] = await Promise.all([
    s.makeUser('observer'),
    s.makeUser('commission'),
    s.makeUser('commission'),
    s.makeUser('admin'),
  ]);
  incidents = await insertIncidents(s.rt.db, [{}, {}, {}]);
  const api = bearer(s.url, member.token);
  for (const id of incidents) {
    expect((await api.patch(`/api/incidents/${id}`, { assigneeId: member2.user.id })).status).toBe(200);
    expect((await api.patch(`/api/incidents/${id}`, { state: 'under_review' })).status).toBe(200);
  }
  expect(
    (await bearer(s.url, member2.token).post(`/api/incidents/${incidents[0]}/comments`, { body: 'x' })).status,
  ).toBe(201);
});
afterAll(async () => {
  await s?.close();
});

const get = async (qs: string, who: TestUser = member) => {
  const r = await bearer(s.url, who.token).get(`/api/audit${qs ? `?${qs}` : ''}`);
  return r;
};
const page = async (qs: string, who: TestUser = member) => {
  const r = await get(qs, who);
  expect(r.status, r.text).toBe(200);
  return r.body as Page;
};

describe('GET /api/audit', () => {
  it('is for the commission and admins only', async () => {
    expect((await get('', observer)).status).toBe(403);
    expect((await bearer(s.url).get('/api/audit')).status).toBe(401);
    expect((await page('', admin)).items.length).toBeGreaterThan(0);
    const actions = await bearer(s.url, member.token).get('/api/audit/actions');
    expect(actions.body.actions).toContain('incident_assigned');
    expect((await bearer(s.url, observer.token).get('/api/audit/actions')).status).toBe(403);
  });

  it('lists newest first and filters by action, entity, id prefix, actor and day', async () => {
    const all = (await page('limit=200')).items;
    const seqs = all.map((r) => BigInt(r.seq));
    expect([...seqs].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(seqs);

    const assigned = (await page('action=incident_assigned')).items;
    expect(assigned.map((r) => r.entityId).sort()).toEqual([...incidents].sort());
    expect(assigned.every((r) => r.actorName === member.username)).toBe(true);

    const one = (await page(`entityType=incident&entityId=${incidents[0]!.slice(0, 8)}`)).items;
    expect(one.map((r) => r.action)).toEqual(['comment_added', 'incident_state_changed', 'incident_assigned']);

    const byMember2 = (await page(`actor=${encodeURIComponent(member2.username.toUpperCase())}&entityType=incident`))
      .items;
    expect(byMember2.map((r) => r.action)).toEqual(['comment_added']);

    expect((await page('from=2000-01-01&to=2000-01-02')).items).toEqual([]);
    expect((await page('action=digest_created')).items).toEqual([]);
  });

  it('pages by keyset without skipping or repeating rows, even while rows are appended', async () => {
    const first = await page('entityType=incident&limit=4');
    expect(first.items).toHaveLength(4);
    // A new row arrives between pages: it is newer than the cursor, so page two is unaffected.
    await bearer(s.url, member.token).post(`/api/incidents/${incidents[1]}/comments`, { body: 'later' });
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const next = await page(`entityType=incident&limit=4&cursor=${cursor}`);
      seen.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((r) => r.seq)).size).toBe(7);
  });

  it('refuses malformed queries with 400 naming the field', async () => {
    for (const [qs, field] of [
      ['action=not_an_action', 'action'],
      ['cursor=abc', 'cursor'],
      ['from=yesterday', 'from'],
      ['limit=0', 'limit'],
      ['unknown=1', ''],
    ] as const) {
      const r = await get(qs);
      expect(r.status, qs).toBe(400);
      if (field) expect(JSON.stringify(r.body), qs).toContain(field);
    }
  });
});
