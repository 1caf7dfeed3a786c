// Review actions over HTTP against real PostgreSQL: roles, transitions, corrections, assignment, comments,
// merge/split keeping every report, bulk, and an audit row with before/after for each change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../src/audit/index.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidentWithReports, insertIncidents } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
let member2: TestUser;
let admin: TestUser;
let api: ReturnType<typeof bearer>;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  [observer, member, member2, admin] = await Promise.all([
    s.makeUser('observer'),
    s.makeUser('commission'),
    s.makeUser('commission'),
    s.makeUser('admin'),
  ]);
  api = bearer(s.url, member.token);
});
afterAll(async () => {
  await s?.close();
});

const auditOf = (entityId: string, action: string) =>
  s.rt.db.auditEvent.findMany({ where: { entityType: 'incident', entityId, action }, orderBy: { seq: 'asc' } });
const reportTotals = async () => ({
  all: await s.rt.db.report.count(),
  orphans: await s.rt.db.report.count({ where: { incidentId: null } }),
});

describe('roles', () => {
  it('observers get 403 on every queue route, admins read but do not act, anonymous gets 401', async () => {
    const [id] = await insertIncidents(s.rt.db, [{}]);
    const obs = bearer(s.url, observer.token);
    const responses = await Promise.all([
      obs.get('/api/incidents'),
      obs.get('/api/incidents/map'),
      obs.get('/api/incidents/assignees'),
      obs.get(`/api/incidents/${id}`),
      obs.patch(`/api/incidents/${id}`, { state: 'under_review' }),
      obs.post(`/api/incidents/${id}/comments`, { body: 'x' }),
      obs.post(`/api/incidents/${id}/merge`, { otherId: id }),
      obs.post(`/api/incidents/${id}/split`, { reportIds: [id] }),
      obs.post('/api/incidents/bulk', { action: 'state', ids: [id], state: 'verified' }),
    ]);
    expect(responses.map((r) => r.status)).toEqual(Array(9).fill(403));

    const adm = bearer(s.url, admin.token);
    expect((await adm.get('/api/incidents')).status).toBe(200);
    expect((await adm.get(`/api/incidents/${id}`)).status).toBe(200);
    expect((await adm.patch(`/api/incidents/${id}`, { state: 'under_review' })).status).toBe(403);
    expect((await adm.post(`/api/incidents/${id}/comments`, { body: 'x' })).status).toBe(403);
    expect((await bearer(s.url).get('/api/incidents')).status).toBe(401);
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id } })).state).toBe('new');
  });
});

describe('PATCH /api/incidents/:id', () => {
  it('walks the allowed transitions, refuses the others with 409, and audits each change', async () => {
    const [id] = await insertIncidents(s.rt.db, [{}]);
    const step = (state: string) => api.patch(`/api/incidents/${id}`, { state, note: `to ${state}` });
    expect((await step('under_review')).body.state).toBe('under_review');
    expect((await step('verified')).body.state).toBe('verified');
    const bad = await step('new');
    expect(bad.status).toBe(409);
    expect(bad.body.error.code).toBe('conflict');
    expect((await step('needs_info')).status).toBe(409);
    expect((await step('under_review')).status).toBe(200); // reopen
    expect((await step('needs_info')).status).toBe(200);
    expect((await step('new')).status).toBe(409);
    expect((await step('rejected')).status).toBe(200);

    const rows = await auditOf(id!, 'incident_state_changed');
    expect(rows.map((r) => [(r.before as { state: string }).state, (r.after as { state: string }).state])).toEqual([
      ['new', 'under_review'],
      ['under_review', 'verified'],
      ['verified', 'under_review'],
      ['under_review', 'needs_info'],
      ['needs_info', 'rejected'],
    ]);
    expect(rows.every((r) => r.actorId === member.user.id && r.actorName === member.username)).toBe(true);
    expect((rows[1]!.after as { note: string }).note).toBe('to verified');
  });

  it('setting the current state again changes nothing and writes no audit row', async () => {
    const [id] = await insertIncidents(s.rt.db, [{ state: 'under_review' }]);
    const r = await api.patch(`/api/incidents/${id}`, { state: 'under_review' });
    expect(r.status).toBe(200);
    expect(await auditOf(id!, 'incident_state_changed')).toHaveLength(0);
  });

  it('stores a terms/stance correction that wins over the automatic result, and audits before/after', async () => {
    const { id } = await insertIncidentWithReports(s.rt.db, observer.user.id, [{}, {}], {
      terms: ['hostilities'],
      stance: 'violation',
    });
    const r = await api.patch(`/api/incidents/${id}`, {
      terms: ['arms_transfer', 'hostilities'],
      stance: 'information',
      note: 'convoy, no shots',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ terms: ['arms_transfer', 'hostilities'], stance: 'information', corrected: true });
    const row = await s.rt.db.incident.findUniqueOrThrow({ where: { id } });
    expect(row.correction).toMatchObject({
      terms: ['arms_transfer', 'hostilities'],
      stance: 'information',
      by: member.username,
      note: 'convoy, no shots',
    });
    const [audit] = await auditOf(id, 'incident_corrected');
    expect(audit!.before).toMatchObject({ terms: ['hostilities'], stance: 'violation', correction: null });
    expect(audit!.after).toMatchObject({ terms: ['arms_transfer', 'hostilities'], stance: 'information' });

    const detail = (await api.get(`/api/incidents/${id}`)).body;
    expect(detail.automatic).toMatchObject({ terms: ['hostilities'], stance: 'violation' });
    expect(detail.correction.stance).toBe('information');
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual(['incident_corrected']);
  });

  it('refuses unknown terms and empty patches with 422', async () => {
    const [id] = await insertIncidents(s.rt.db, [{}]);
    expect((await api.patch(`/api/incidents/${id}`, { terms: ['not_a_term'] })).status).toBe(422);
    expect((await api.patch(`/api/incidents/${id}`, {})).status).toBe(422);
    expect((await api.patch(`/api/incidents/${id}`, { state: 'done' })).status).toBe(422);
    expect((await api.patch('/api/incidents/00000000-0000-4000-8000-000000000000', { state: 'verified' })).status).toBe(
      404,
    );
  });

  it('assigns to commission members only, unassigns with null, and audits both', async () => {
    const [id] = await insertIncidents(s.rt.db, [{}]);
    const r = await api.patch(`/api/incidents/${id}`, { assigneeId: member2.user.id });
    expect(r.body.assignee).toEqual({ id: member2.user.id, username: member2.username });
    expect((await api.patch(`/api/incidents/${id}`, { assigneeId: observer.user.id })).status).toBe(422);
    expect((await api.patch(`/api/incidents/${id}`, { assigneeId: null })).body.assignee).toBeNull();
    const rows = await auditOf(id!, 'incident_assigned');
    expect(rows.map((a) => [a.before, a.after])).toEqual([
      [{ assigneeId: null }, { assigneeId: member2.user.id }],
      [{ assigneeId: member2.user.id }, { assigneeId: null }],
    ]);
    const assignees = (await api.get('/api/incidents/assignees')).body as Array<{ id: string }>;
    expect(assignees.map((a) => a.id).sort()).toEqual([member.user.id, member2.user.id].sort());
  });
});

describe('comments', () => {
  it('adds a comment (201), shows it on the incident page and audits it', async () => {
    const { id, reportIds } = await insertIncidentWithReports(s.rt.db, observer.user.id, [{}]);
    const r = await api.post(`/api/incidents/${id}/comments`, { body: 'Ask the Sirte team for photos.' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      body: 'Ask the Sirte team for photos.',
      author: { id: member.user.id, username: member.username },
    });
    const detail = (await api.get(`/api/incidents/${id}`)).body;
    expect(detail.comments.map((c: { id: string }) => c.id)).toEqual([r.body.id]);
    expect(detail.reports.map((x: { id: string }) => x.id)).toEqual(reportIds);
    expect(detail.reports[0].classification.terms[0].evidence).toHaveLength(1);
    expect((await auditOf(id, 'comment_added'))[0]!.after).toMatchObject({ commentId: r.body.id });
    expect((await api.post(`/api/incidents/${id}/comments`, { body: '  ' })).status).toBe(422);
  });
});

describe('new reports on a verified incident', () => {
  it('are counted in the queue and on the page and told in the history, until a reviewer sets the state again', async () => {
    const inc = await insertIncidentWithReports(s.rt.db, observer.user.id, [{ placeName: 'Joinville' }], {
      placeName: 'Joinville',
    });
    expect((await api.patch(`/api/incidents/${inc.id}`, { state: 'verified' })).status).toBe(200);
    const queued = async () =>
      (await api.get('/api/incidents?place=Joinville')).body.items.find((i: { id: string }) => i.id === inc.id);
    expect((await queued()).newSinceVerified).toBe(0);

    // A report received after the verification joins (as the pipeline would put it there).
    const late = await insertIncidentWithReports(s.rt.db, observer.user.id, [{ placeName: 'Joinville' }]);
    await s.rt.db.report.update({
      where: { id: late.reportIds[0] },
      data: { incidentId: inc.id, receivedAt: new Date(Date.now() + 60_000) },
    });
    expect((await queued()).newSinceVerified).toBe(1);
    const detail = (await api.get(`/api/incidents/${inc.id}`)).body;
    expect(detail).toMatchObject({ state: 'verified', newSinceVerified: 1 });
    expect(detail.verifiedAt).toEqual(expect.any(String));
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual([
      'incident_state_changed',
      'report_joined',
    ]);
    expect(detail.history[1].after).toEqual({ reportId: late.reportIds[0] });

    // Looked at again: back to review, then verified anew, the count starts afresh; the state was never changed for them.
    expect((await api.patch(`/api/incidents/${inc.id}`, { state: 'under_review' })).status).toBe(200);
    expect((await queued()).newSinceVerified).toBe(0);
    await s.rt.db.report.update({ where: { id: late.reportIds[0] }, data: { receivedAt: new Date() } });
    expect((await api.patch(`/api/incidents/${inc.id}`, { state: 'verified' })).status).toBe(200);
    expect((await queued()).newSinceVerified).toBe(0);
  });
});

describe('merge and split', () => {
  it('merges another incident in: every report moves and is pinned, nothing is lost, the other leaves the queue', async () => {
    const a = await insertIncidentWithReports(
      s.rt.db,
      observer.user.id,
      [{ placeName: 'MergeA' }, { placeName: 'MergeA' }],
      { placeName: 'MergeA' },
    );
    const b = await insertIncidentWithReports(
      s.rt.db,
      observer.user.id,
      [{ observedAt: new Date('2020-11-14T06:00:00Z'), placeName: 'MergeA' }],
      { placeName: 'MergeA' },
    );
    await api.post(`/api/incidents/${b.id}/comments`, { body: 'on b' });
    const before = await reportTotals();

    const r = await api.post(`/api/incidents/${a.id}/merge`, { otherId: b.id });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: a.id, reportCount: 3, lastObservedAt: '2020-11-14T06:00:00.000Z' });
    expect(await reportTotals()).toEqual(before);
    const moved = await s.rt.db.report.findMany({ where: { id: { in: b.reportIds } } });
    expect(moved.every((x) => x.incidentId === a.id && x.incidentPinned)).toBe(true);
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: b.id } })).mergedIntoId).toBe(a.id);
    expect((await api.get(`/api/incidents/${a.id}`)).body.comments).toHaveLength(1);

    const queue = (await api.get('/api/incidents?place=MergeA')).body;
    expect(queue.items.map((i: { id: string }) => i.id)).toEqual([a.id]);

    const [audit] = await auditOf(a.id, 'incident_merged');
    expect(audit!.before).toMatchObject({ target: { reportCount: 2 }, other: { id: b.id, reportCount: 1 } });
    expect(audit!.after).toMatchObject({
      target: { reportCount: 3 },
      mergedId: b.id,
      movedReportIds: [...b.reportIds].sort(),
    });

    expect((await api.post(`/api/incidents/${a.id}/merge`, { otherId: b.id })).status).toBe(409);
    expect((await api.patch(`/api/incidents/${b.id}`, { state: 'verified' })).status).toBe(409);
    expect((await api.post(`/api/incidents/${a.id}/merge`, { otherId: a.id })).status).toBe(422);
  });

  it('merges by the short id the pages show; an unknown one is 404, one naming two incidents 409, a malformed one 422', async () => {
    const [target, other, twinA, twinB] = await insertIncidents(s.rt.db, [
      {},
      { id: 'abcdef01-0000-4000-8000-000000000001' },
      { id: 'feedbeef-0000-4000-8000-000000000001' },
      { id: 'feedbeef-0000-4000-8000-000000000002' },
    ]);
    const r = await api.post(`/api/incidents/${target}/merge`, { otherId: '#ABCDEF01' });
    expect(r.status, r.text).toBe(200);
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: other! } })).mergedIntoId).toBe(target);

    expect((await api.post(`/api/incidents/${target}/merge`, { otherId: '0badcafe' })).status).toBe(404);
    const twins = await api.post(`/api/incidents/${target}/merge`, { otherId: 'feedbeef' });
    expect(twins.status).toBe(409);
    expect(twins.body.error).toMatchObject({ code: 'conflict', reason: 'ambiguous_id', id: 'feedbeef' });
    expect(twins.body.error.message).toContain('#feedbeef names more than one incident');
    // More of the id settles it.
    expect(await api.post(`/api/incidents/${target}/merge`, { otherId: twinB }).then((x) => x.status)).toBe(200);
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: twinA! } })).mergedIntoId).toBeNull();
    for (const bad of ['4f2a', 'not-an-id', 'abcdef01x'])
      expect((await api.post(`/api/incidents/${target}/merge`, { otherId: bad })).status, bad).toBe(422);
  });

  it('splits reports into a new incident, records the separation, keeps every report', async () => {
    const src = await insertIncidentWithReports(s.rt.db, observer.user.id, [
      {},
      {},
      { observedAt: new Date('2020-11-16T10:00:00Z'), placeName: 'Brega', lat: 30.4, lon: 19.6 },
    ]);
    const before = await reportTotals();
    const r = await api.post(`/api/incidents/${src.id}/split`, { reportIds: [src.reportIds[2]] });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`/api/incidents/${r.body.id}`);
    expect(r.body).toMatchObject({
      state: 'new',
      reportCount: 1,
      placeName: 'Brega',
      firstObservedAt: '2020-11-16T10:00:00.000Z',
    });
    expect(await reportTotals()).toEqual(before);
    const movedReport = await s.rt.db.report.findUniqueOrThrow({ where: { id: src.reportIds[2] } });
    expect(movedReport).toMatchObject({ incidentId: r.body.id, incidentPinned: true });
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: src.id } })).reportCount).toBe(2);
    const [a, b] = [src.id, r.body.id as string].sort();
    expect(
      await s.rt.db.incidentSeparation.findUnique({ where: { incidentA_incidentB: { incidentA: a!, incidentB: b! } } }),
    ).not.toBeNull();

    const [audit] = await auditOf(src.id, 'report_split');
    expect(audit!.before).toMatchObject({ source: { reportCount: 3 } });
    expect(audit!.after).toMatchObject({
      source: { reportCount: 2 },
      newIncidentId: r.body.id,
      reportIds: [src.reportIds[2]],
    });
  });

  it("a split and a merge show in both incidents' histories; assignees are named, not only given by id", async () => {
    const src = await insertIncidentWithReports(s.rt.db, observer.user.id, [{}, {}]);
    const split = (await api.post(`/api/incidents/${src.id}/split`, { reportIds: [src.reportIds[1]] })).body;
    // The new incident's history starts with the split that made it, recorded on the source.
    const created = (await api.get(`/api/incidents/${split.id}`)).body;
    expect(created.history).toHaveLength(1);
    expect(created.history[0]).toMatchObject({ action: 'report_split', entityId: src.id, actorName: member.username });
    expect(created.history[0].after).toMatchObject({ newIncidentId: split.id, reportIds: [src.reportIds[1]] });

    expect((await api.patch(`/api/incidents/${src.id}`, { assigneeId: member2.user.id })).status).toBe(200);
    expect((await api.post(`/api/incidents/${src.id}/merge`, { otherId: split.id })).status).toBe(200);
    const source = (await api.get(`/api/incidents/${src.id}`)).body;
    expect(source.history.map((h: { action: string }) => h.action)).toEqual([
      'report_split',
      'incident_assigned',
      'incident_merged',
    ]);
    expect(source.people).toEqual({ [member2.user.id]: member2.username });
    // The merged-away incident's history ends with the merge that absorbed it.
    const away = (await api.get(`/api/incidents/${split.id}`)).body;
    expect(away.mergedIntoId).toBe(src.id);
    expect(away.history.map((h: { action: string; entityId: string }) => [h.action, h.entityId])).toEqual([
      ['report_split', src.id],
      ['incident_merged', src.id],
    ]);
  });

  it('refuses to split out every report or a report of another incident', async () => {
    const one = await insertIncidentWithReports(s.rt.db, observer.user.id, [{}, {}]);
    const other = await insertIncidentWithReports(s.rt.db, observer.user.id, [{}]);
    expect((await api.post(`/api/incidents/${one.id}/split`, { reportIds: one.reportIds })).status).toBe(422);
    expect((await api.post(`/api/incidents/${one.id}/split`, { reportIds: other.reportIds })).status).toBe(422);
    expect((await api.post(`/api/incidents/${one.id}/split`, { reportIds: [] })).status).toBe(422);
    expect(await s.rt.db.report.count({ where: { incidentId: one.id } })).toBe(2);
  });
});

describe('bulk', () => {
  it('applies a state to each incident it may, and names the ones it may not', async () => {
    const ids = await insertIncidents(s.rt.db, [{}, { state: 'under_review' }, { state: 'verified' }]);
    const missing = '00000000-0000-4000-8000-000000000001';
    const r = await api.post('/api/incidents/bulk', { action: 'state', ids: [...ids, missing], state: 'needs_info' });
    expect(r.status).toBe(200);
    expect(r.body.updated).toBe(2);
    expect(r.body.errors.map((e: { id: string }) => e.id).sort()).toEqual([ids[2], missing].sort());
    const states = await s.rt.db.incident.findMany({ where: { id: { in: ids } }, select: { id: true, state: true } });
    expect(Object.fromEntries(states.map((x) => [x.id, x.state]))).toEqual({
      [ids[0]!]: 'needs_info',
      [ids[1]!]: 'needs_info',
      [ids[2]!]: 'verified',
    });
    expect(await auditOf(ids[0]!, 'incident_state_changed')).toHaveLength(1);

    const assign = await api.post('/api/incidents/bulk', { action: 'assign', ids, assigneeId: member.user.id });
    expect(assign.body).toEqual({ updated: 3, errors: [] });
    expect(await s.rt.db.incident.count({ where: { id: { in: ids }, assigneeId: member.user.id } })).toBe(3);
    expect((await api.post('/api/incidents/bulk', { action: 'state', ids })).status).toBe(422);
  });
});

describe('audit chain', () => {
  it('is intact after all the actions above', async () => {
    const v = await verifyAuditChain(s.rt.db);
    expect(v.ok).toBe(true);
    expect(v.checked).toBeGreaterThan(10);
  });
});
