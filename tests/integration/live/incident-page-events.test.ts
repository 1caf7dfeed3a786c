// What an open incident page and the map hear: every change to an incident, made by the real API or the real
// workers, reaches a real Redis subscriber of the live channel after its commit, naming the incident, what happened
// and who did it (null for the machine). The map asks for just the incidents an event named (`ids`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { fileAndWaitProcessed, waitFor } from '../../helpers/wait.ts';
import { makeReport, shellingAr, shellingEn } from '../../helpers/factories.ts';
import { incidentEventsChannel, parseIncidentEvents, type IncidentEvent } from '../../../src/live/events.ts';

let s: TestServer;
let member: TestUser;
let admin: TestUser;
let observer: TestUser;
let sub: Redis;
const heard: IncidentEvent[] = [];

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  member = await s.makeUser('commission');
  admin = await s.makeUser('admin');
  observer = await s.makeUser('observer');
  sub = new Redis(s.config.REDIS_URL);
  sub.on('message', (_channel: string, message: string) => heard.push(...parseIncidentEvents(message)));
  await sub.subscribe(incidentEventsChannel(s.config.QUEUE_PREFIX));
}, 60_000);
afterAll(async () => {
  sub?.disconnect();
  await s?.close();
});

/** The first event heard (from now on) that matches. */
function hear(pred: (e: IncidentEvent) => boolean, what: string): Promise<IncidentEvent> {
  const from = heard.length;
  return waitFor(async () => heard.slice(from).find(pred), what);
}

describe('live events of one incident', () => {
  it('a report joining, a comment, another incident merged in, a split, all named with their actor', async () => {
    const first = await fileAndWaitProcessed(bearer(s.url, observer.token), shellingEn());
    const incidentId: string = first.incidentId;

    // The Arabic account of the same shelling joins it: the workers say so.
    const joined = hear((e) => e.incidentId === incidentId && e.kind === 'joined', 'the joined event');
    const second = await fileAndWaitProcessed(bearer(s.url, observer.token), shellingAr());
    expect(second.incidentId).toBe(incidentId);
    expect(await joined).toEqual({ incidentId, kind: 'joined', actorId: null });

    const commented = hear((e) => e.incidentId === incidentId && e.kind === 'commented', 'the comment event');
    const c = await bearer(s.url, member.token).post(`/api/incidents/${incidentId}/comments`, { body: 'Checking' });
    expect(c.status).toBe(201);
    expect(await commented).toEqual({ incidentId, kind: 'commented', actorId: member.user.id });

    // An unrelated incident elsewhere, merged into this one: both incidents are told.
    const elsewhere = await fileAndWaitProcessed(
      bearer(s.url, observer.token),
      makeReport({ lat: 32.37, lon: 15.09, placeName: 'Misrata', observedAt: '2020-11-20T09:00:00+02:00' }),
    );
    const otherId: string = elsewhere.incidentId;
    const mergedAway = hear((e) => e.incidentId === otherId && e.kind === 'merged', 'the merged-away event');
    const mergedInto = hear((e) => e.incidentId === incidentId && e.kind === 'merged', 'the merged-into event');
    const m = await bearer(s.url, member.token).post(`/api/incidents/${incidentId}/merge`, { otherId });
    expect(m.status).toBe(200);
    expect(await mergedAway).toEqual({ incidentId: otherId, kind: 'merged', actorId: member.user.id });
    expect(await mergedInto).toEqual({ incidentId, kind: 'merged', actorId: member.user.id });
    // The merged-away incident names its survivor: the page it is open on links there.
    expect((await bearer(s.url, member.token).get(`/api/incidents/${otherId}`)).body.mergedIntoId).toBe(incidentId);

    const split = hear((e) => e.incidentId === incidentId && e.kind === 'split', 'the split event');
    const opened = hear((e) => e.kind === 'opened' && e.actorId === member.user.id, 'the split-off incident opened');
    const sp = await bearer(s.url, member.token).post(`/api/incidents/${incidentId}/split`, {
      reportIds: [elsewhere.id],
    });
    expect(sp.status).toBe(201);
    expect(await split).toEqual({ incidentId, kind: 'split', actorId: member.user.id });
    expect(await opened).toEqual({ incidentId: sp.body.id, kind: 'opened', actorId: member.user.id });
  });

  it("an observer's answer to a request for information, a report's correction and an erasure", async () => {
    const report = await fileAndWaitProcessed(
      bearer(s.url, observer.token),
      makeReport({ lat: 26.59, lon: 12.77, placeName: 'Ubari', observedAt: '2020-11-25T08:00:00+02:00' }),
    );
    const incidentId: string = report.incidentId;
    const asked = await bearer(s.url, member.token).patch(`/api/incidents/${incidentId}`, { state: 'needs_info' });
    expect(asked.status).toBe(200);

    const added = hear((e) => e.incidentId === incidentId && e.kind === 'added', 'the addition event');
    // The member's own "needs info" event may still be in flight: listen for the observer's.
    const reopened = hear(
      (e) => e.incidentId === incidentId && e.kind === 'state' && e.actorId === observer.user.id,
      'the state event',
    );
    const a = await bearer(s.url, observer.token).post(`/api/reports/${report.id}/additions`, {
      text: 'Twelve vehicles, photographed from the checkpoint.',
    });
    expect(a.status).toBe(201);
    expect(await added).toEqual({ incidentId, kind: 'added', actorId: observer.user.id });
    expect(await reopened).toEqual({ incidentId, kind: 'state', actorId: observer.user.id });

    // A report's correction reaches the incident through the workers, which tell of it.
    const corrected = hear((e) => e.incidentId === incidentId && e.kind === 'corrected', 'the corrected event');
    const fix = await bearer(s.url, member.token).patch(`/api/reports/${report.id}/classification`, {
      terms: ['mercenary_withdrawal'],
      stance: 'violation',
    });
    expect(fix.status).toBe(200);
    expect(await corrected).toEqual({ incidentId, kind: 'corrected', actorId: null });

    const erased = hear((e) => e.incidentId === incidentId && e.kind === 'erased', 'the erased event');
    const e = await bearer(s.url, admin.token).post(`/api/reports/${report.id}/erasure`, {
      reason: 'Asked by the observer',
    });
    expect(e.status).toBe(201);
    expect(await erased).toEqual({ incidentId, kind: 'erased', actorId: admin.user.id });
  });
});

describe('GET /api/incidents/map?ids=', () => {
  it('answers only the named incidents that match the other filters, and refuses what is not a list of ids', async () => {
    const a = await fileAndWaitProcessed(
      bearer(s.url, observer.token),
      makeReport({ lat: 30.41, lon: 19.57, placeName: 'Brega', observedAt: '2020-12-02T08:00:00+02:00' }),
    );
    const b = await fileAndWaitProcessed(
      bearer(s.url, observer.token),
      makeReport({ lat: 32.11, lon: 20.07, placeName: 'Benghazi', observedAt: '2020-12-03T08:00:00+02:00' }),
    );
    const client = bearer(s.url, member.token);
    const both = await client.get(`/api/incidents/map?ids=${a.incidentId},${b.incidentId}`);
    expect(both.status).toBe(200);
    expect(both.body.features.map((f: any) => f.id).sort()).toEqual([a.incidentId, b.incidentId].sort());

    expect((await client.patch(`/api/incidents/${b.incidentId}`, { state: 'rejected' })).status).toBe(200);
    const open = await client.get(`/api/incidents/map?state=new&ids=${a.incidentId},${b.incidentId}`);
    expect(open.body.features.map((f: any) => f.id)).toEqual([a.incidentId]);

    const bad = await client.get('/api/incidents/map?ids=not-an-id');
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].field).toBe('ids');
  });
});
