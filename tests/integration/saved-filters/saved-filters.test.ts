// Saved filters through the real HTTP API: saved, listed, renamed, changed and deleted by their owner only; the query
// checked with the list endpoint's own schema; names unique per view, 50 per account, even when saves race; audited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { MAX_SAVED_FILTERS } from '../../../src/saved-filters/index.ts';

let s: TestServer;
let chair: TestUser;
let member: TestUser;
let admin: TestUser;
let observer: TestUser;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  chair = await s.makeUser('commission');
  member = await s.makeUser('commission');
  admin = await s.makeUser('admin');
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  await s?.close();
});

const api = (u: TestUser) => bearer(s.url, u.token);
const save = (u: TestUser, body: unknown) => api(u).post('/api/saved-filters', body);
const unique = (name: string) => `${name} ${randomUUID().slice(0, 8)}`;

describe('saving and listing', () => {
  it('saves a queue filter and a reports filter, lists them by view, and each opens its list', async () => {
    const queue = await save(chair, {
      view: 'queue',
      name: 'Sirte violations',
      query: { state: 'new,under_review', stance: 'violation', place: 'Sirte', sort: 'age', term: '' },
    });
    expect(queue.status, queue.text).toBe(201);
    // An empty value means "not given", as on the list itself: it is not kept.
    expect(queue.body).toMatchObject({
      view: 'queue',
      name: 'Sirte violations',
      query: { state: 'new,under_review', stance: 'violation', place: 'Sirte', sort: 'age' },
    });
    const reports = await save(chair, {
      view: 'reports',
      name: '  Flagged in سرت  ',
      query: { place: 'سرت', flagged: 'true', from: '2020-11-01', sort: '-observed' },
    });
    expect(reports.status, reports.text).toBe(201);
    expect(reports.body.name).toBe('Flagged in سرت');

    const all = await api(chair).get('/api/saved-filters');
    expect(all.status).toBe(200);
    expect(all.body.items.map((f: { name: string }) => f.name)).toEqual(['Sirte violations', 'Flagged in سرت']);
    const onlyReports = await api(chair).get('/api/saved-filters?view=reports');
    expect(onlyReports.body.items).toEqual([reports.body]);
    expect((await api(chair).get('/api/saved-filters?view=map')).status).toBe(400);

    for (const [path, f] of [
      ['/api/incidents', queue.body],
      ['/api/reports', reports.body],
    ] as const) {
      const opened = await api(chair).get(`${path}?${new URLSearchParams(f.query)}`);
      expect(opened.status, opened.text).toBe(200);
    }
  });

  it('keeps each account to its own filters', async () => {
    const mine = await save(member, { view: 'reports', name: 'Mine', query: { language: 'ar' } });
    expect(mine.status).toBe(201);
    expect((await api(chair).get('/api/saved-filters')).body.items.map((f: { id: string }) => f.id)).not.toContain(
      mine.body.id,
    );
    // Another account's id answers as one that names nothing, for every change; the filter stays as it was.
    expect((await api(chair).patch(`/api/saved-filters/${mine.body.id}`, { name: 'Taken over' })).status).toBe(404);
    expect((await api(chair).delete(`/api/saved-filters/${mine.body.id}`)).status).toBe(404);
    expect((await api(chair).patch('/api/saved-filters/not-an-id', { name: 'x' })).status).toBe(404);
    expect((await api(member).get('/api/saved-filters')).body.items).toEqual([mine.body]);
    // Admins keep their own too; observers have no queue to filter.
    expect((await save(admin, { view: 'queue', name: 'Admin view', query: {} })).status).toBe(201);
    expect((await save(observer, { view: 'reports', name: 'x', query: {} })).status).toBe(403);
    expect((await api(observer).get('/api/saved-filters')).status).toBe(403);
    expect((await bearer(s.url).get('/api/saved-filters')).status).toBe(401);
  });

  it('works from a browser session with its CSRF token', async () => {
    const b = browser(s.url);
    expect((await b.signIn(member)).status).toBe(200);
    const created = await b.post('/api/saved-filters', { view: 'queue', name: unique('Session'), query: {} });
    expect(created.status, created.text).toBe(201);
    b.setCsrf(undefined);
    expect((await b.delete(`/api/saved-filters/${created.body.id}`)).status).toBe(403);
  });
});

describe('bad input', () => {
  it.each([
    [{ view: 'queue', name: 'x', query: { state: 'bogus' } }, 'query.state', /unknown value bogus/],
    [{ view: 'reports', name: 'x', query: { term: 'peace' } }, 'query.term', /not a term of the agreement/],
    [{ view: 'reports', name: 'x', query: { flagged: 'yes' } }, 'query.flagged', /true|false/],
    [{ view: 'reports', name: 'x', query: { cursor: 'abc' } }, 'query.cursor', /not a parameter of the reports list/],
    [{ view: 'queue', name: 'x', query: { needsReview: 'maybe' } }, 'query.needsReview', /true|false/],
    [{ view: 'reports', name: 'x', query: { to: '2020-02-30' } }, 'query.to', /not a calendar date/],
    [{ view: 'reports', name: 'x', query: { from: '2021-02-29' } }, 'query.from', /not a calendar date/],
    [{ view: 'queue', name: 'x', query: { from: '2020-11-31' } }, 'query.from', /not a calendar date/],
    [{ view: 'queue', name: 'x', query: { from: '2020-11-14T10:30' } }, 'query.from', /offset/],
    [{ view: 'reports', name: 'x', query: { from: 'foo T 2020' } }, 'query.from', /YYYY-MM-DD/],
    [{ view: 'queue', name: 'x', query: { state: ['new'] } }, 'query.state', /string/],
    [{ view: 'map', name: 'x', query: {} }, 'view', /queue|reports/],
    [{ view: 'queue', name: '   ', query: {} }, 'name', /1/],
    [{ view: 'queue', name: 'n'.repeat(81), query: {} }, 'name', /80/],
    [{ view: 'queue', name: 'x' }, 'query', /object|record/i],
    [{ view: 'queue', name: 'x', query: {}, owner: 'someone' }, '(body)', /owner/],
  ])('%j answers 422 naming %s', async (body, field, reason) => {
    const r = await save(chair, body);
    expect(r.status, r.text).toBe(422);
    expect(r.body.error.issues).toContainEqual({ field, reason: expect.stringMatching(reason) });
  });

  it('an empty change, or a query the view refuses, is refused the same way', async () => {
    const f = await save(chair, { view: 'reports', name: unique('To change'), query: {} });
    const empty = await api(chair).patch(`/api/saved-filters/${f.body.id}`, {});
    expect(empty.status).toBe(422);
    expect(empty.body.error.issues[0].reason).toMatch(/name.*query/);
    // The view is the saved filter's: a queue parameter does not fit a reports filter.
    const wrong = await api(chair).patch(`/api/saved-filters/${f.body.id}`, { query: { party: 'LAAF' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.issues).toEqual([{ field: 'query.party', reason: 'not a parameter of the reports list' }]);
  });
});

describe('names and limits', () => {
  it('a name is unique per view: the same name again is a 409, in the other view it is fine', async () => {
    const name = unique('Daily');
    expect((await save(member, { view: 'queue', name, query: {} })).status).toBe(201);
    const again = await save(member, { view: 'queue', name, query: { stance: 'violation' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', reason: 'name_taken', field: 'name' });
    expect((await save(member, { view: 'reports', name, query: {} })).status).toBe(201);
  });

  it('renames and changes the query; a rename onto another filter’s name is a 409', async () => {
    const a = await save(chair, { view: 'queue', name: unique('A'), query: { stance: 'violation' } });
    const b = await save(chair, { view: 'queue', name: unique('B'), query: {} });
    const renamed = await api(chair).patch(`/api/saved-filters/${a.body.id}`, { name: 'Renamed A' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ id: a.body.id, name: 'Renamed A', query: { stance: 'violation' } });
    const changed = await api(chair).patch(`/api/saved-filters/${a.body.id}`, { query: { party: 'GNA' } });
    expect(changed.body).toMatchObject({ name: 'Renamed A', query: { party: 'GNA' } });
    // Its own name again is no conflict.
    expect((await api(chair).patch(`/api/saved-filters/${a.body.id}`, { name: 'Renamed A' })).status).toBe(200);
    const clash = await api(chair).patch(`/api/saved-filters/${b.body.id}`, { name: 'Renamed A' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.reason).toBe('name_taken');
  });

  it(`keeps at most ${MAX_SAVED_FILTERS} per account, and races cannot pass the limit or share a name`, async () => {
    const u = await s.makeUser('commission');
    const race = await Promise.all(
      Array.from({ length: 6 }, () => save(u, { view: 'reports', name: 'Same name', query: {} })),
    );
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (let i = 1; i <= MAX_SAVED_FILTERS - 3; i++)
      expect((await save(u, { view: 'queue', name: `Filter ${i}`, query: {} })).status).toBe(201);
    // Two places left; five saves at once take them and no more.
    const last = await Promise.all(
      Array.from({ length: 5 }, (_, i) => save(u, { view: 'reports', name: `Last ${i}`, query: {} })),
    );
    expect(last.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = last.filter((r) => r.status === 409);
    expect(refused).toHaveLength(3);
    expect(refused[0]!.body.error).toMatchObject({ reason: 'limit_reached', limit: MAX_SAVED_FILTERS });
    expect((await api(u).get('/api/saved-filters')).body.items).toHaveLength(MAX_SAVED_FILTERS);
    // Deleting one makes room again.
    const one = (await api(u).get('/api/saved-filters?view=reports')).body.items[0];
    expect((await api(u).delete(`/api/saved-filters/${one.id}`)).status).toBe(204);
    expect((await save(u, { view: 'reports', name: 'After delete', query: {} })).status).toBe(201);
  });
});

describe('racing changes of one filter', () => {
  it('eight deletes at once: one 204, seven 404, one audit row', async () => {
    const f = await save(chair, { view: 'reports', name: unique('Raced'), query: {} });
    const deletes = await Promise.all(
      Array.from({ length: 8 }, () => api(chair).delete(`/api/saved-filters/${f.body.id}`)),
    );
    expect(deletes.map((r) => r.status).sort()).toEqual([204, 404, 404, 404, 404, 404, 404, 404]);
    const gone = await s.rt.db.auditEvent.count({ where: { entityId: f.body.id, action: 'saved_filter_deleted' } });
    expect(gone).toBe(1);
  });

  it('renames and deletes at once: each a 200, a 204 or a 404, never a 500; the audit trail matches', async () => {
    const f = await save(chair, { view: 'queue', name: unique('Raced'), query: {} });
    const path = `/api/saved-filters/${f.body.id}`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 ? api(chair).delete(path) : api(chair).patch(path, { name: `${f.body.name} ${i}` }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    for (const status of statuses) expect([200, 204, 404]).toContain(status);
    expect(statuses.filter((x) => x === 204)).toHaveLength(1);
    const rows = await s.rt.db.auditEvent.findMany({ where: { entityId: f.body.id }, orderBy: { seq: 'asc' } });
    expect(rows.filter((r) => r.action === 'saved_filter_updated')).toHaveLength(
      statuses.filter((x) => x === 200).length,
    );
    expect(rows.at(-1)!.action).toBe('saved_filter_deleted');
  });
});

describe('deleting and the audit trail', () => {
  it('deletes once; every change is an audit row naming the account', async () => {
    const f = await save(chair, { view: 'reports', name: unique('Short-lived'), query: { source: 'sms' } });
    await api(chair).patch(`/api/saved-filters/${f.body.id}`, { name: 'Short-lived, renamed' });
    expect((await api(chair).delete(`/api/saved-filters/${f.body.id}`)).status).toBe(204);
    expect((await api(chair).delete(`/api/saved-filters/${f.body.id}`)).status).toBe(404);
    expect((await api(chair).get('/api/saved-filters')).body.items.map((x: { id: string }) => x.id)).not.toContain(
      f.body.id,
    );
    const rows = await s.rt.db.auditEvent.findMany({ where: { entityId: f.body.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => [r.action, r.actorName, r.entityType])).toEqual([
      ['saved_filter_created', chair.username, 'saved_filter'],
      ['saved_filter_updated', chair.username, 'saved_filter'],
      ['saved_filter_deleted', chair.username, 'saved_filter'],
    ]);
    expect(rows[1]!.before).toMatchObject({ name: f.body.name, query: { source: 'sms' } });
    expect(rows[1]!.after).toMatchObject({ name: 'Short-lived, renamed' });
  });
});
