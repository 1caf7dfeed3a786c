// Observers' identities through the real API: a commission member (who may not see observers' names) is shown an
// observer's pseudonym wherever the account id or name would be, in every class of answer: reports (one, the list,
// a correction's answer), the incident page (members, their further pages, history), exports (CSV, GeoJSON), the live
// stream and the audit log; never the account id that would let them follow one observer and find the account.
// An admin still gets the account id; one pseudonym is used everywhere, so "the same observer" stays visible.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidentWithReports } from '../../helpers/factories.ts';

let s: TestServer;
let member: TestUser;
let admin: TestUser;
let observer: TestUser;
let pseudonym: string;
let incidentId: string;
let reportIds: string[];

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  member = await s.makeUser('commission');
  admin = await s.makeUser('admin');
  observer = await s.makeUser('observer', `salma_${Date.now()}`);
  await s.rt.db.user.update({ where: { id: observer.user.id }, data: { displayName: 'Salma Field Display' } });
  pseudonym = s.rt.custodySigner.pseudonym(observer.user.id);
  // Two pages of members (limit 1 below), the incident waiting for the observer's answer.
  ({ id: incidentId, reportIds } = await insertIncidentWithReports(
    s.rt.db,
    observer.user.id,
    [{ observedAt: new Date('2020-11-14T03:40:00Z') }, { observedAt: new Date('2020-11-14T04:10:00Z') }],
    { state: 'needs_info' },
  ));
});
afterAll(async () => {
  await s?.close();
});

/** Neither the observer's account id nor their names appear anywhere in `text`. */
function expectNoTrace(text: string) {
  expect(text).not.toContain(observer.user.id);
  expect(text).not.toContain(observer.username);
  expect(text).not.toContain('Salma Field Display');
}

/** Reads the live stream until an `added` event of the incident arrives; returns it. */
async function nextAddedEvent(token: string, trigger: () => Promise<void>) {
  const abort = new AbortController();
  const res = await fetch(`${s.url}/api/incidents/events`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const decoder = new TextDecoder();
  let buffer = '';
  let triggered = false;
  try {
    for await (const chunk of res.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      // The first bytes say the stream is subscribed: only then is the change made.
      if (!triggered) {
        triggered = true;
        await trigger();
      }
      for (const block of buffer.split('\n\n')) {
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!block.startsWith('event: incident') || !data) continue;
        const added = (JSON.parse(data.slice(6)) as Array<Record<string, unknown>>).find(
          (e) => e.incidentId === incidentId && e.kind === 'added',
        );
        if (added) return { added, raw: buffer };
      }
    }
  } finally {
    abort.abort();
  }
  throw new Error('stream ended before the added event');
}

describe("an observer's identity as a commission member sees it", () => {
  it('the live stream names the observer who answered by the pseudonym', async () => {
    const { added, raw } = await nextAddedEvent(member.token, async () => {
      const answered = await bearer(s.url, observer.token).post(`/api/reports/${reportIds[0]}/additions`, {
        text: 'The shelling came from the east ridge.',
      });
      expect(answered.status).toBe(201);
      // The observer themself still sees their own account id.
      expect(answered.body.report.observerId).toBe(observer.user.id);
    });
    expect(added.actorId).toBe(pseudonym);
    expectNoTrace(raw);
  });

  it('the reports: one, the list, the list filtered by what it shows, and a correction', async () => {
    const api = bearer(s.url, member.token);
    const one = await api.get(`/api/reports/${reportIds[0]}`);
    expect(one.status).toBe(200);
    expect(one.body.observerId).toBe(pseudonym);
    expectNoTrace(one.text);

    const list = await api.get('/api/reports');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { observerId: string }) => r.observerId)).toEqual([pseudonym, pseudonym]);
    expect(list.body.items[0].observerName).toBe(pseudonym);
    expectNoTrace(list.text);
    // The key the list shows finds that observer's reports; the account id (known from elsewhere) finds nothing.
    expect((await api.get(`/api/reports?observerId=${pseudonym}`)).body.items).toHaveLength(2);
    expect((await api.get(`/api/reports?observerId=${observer.user.id}`)).body.items).toHaveLength(0);

    const corrected = await api.patch(`/api/reports/${reportIds[1]}/classification`, {
      terms: ['hostilities'],
      stance: 'violation',
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body.observerId).toBe(pseudonym);
    expectNoTrace(corrected.text);
  });

  it('the incident page: members, their next page, and the history of the answer', async () => {
    const api = bearer(s.url, member.token);
    const detail = await api.get(`/api/incidents/${incidentId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.reports.map((r: { observerId: string }) => r.observerId)).toEqual([pseudonym, pseudonym]);
    const answer = detail.body.history.find(
      (h: { action: string; after: { state?: string } }) => h.action === 'incident_state_changed',
    );
    expect(answer.actorName).toBe(pseudonym);
    expectNoTrace(detail.text);

    const first = await api.get(`/api/incidents/${incidentId}/reports?limit=1`);
    const next = await api.get(`/api/incidents/${incidentId}/reports?limit=1&cursor=${first.body.nextCursor}`);
    expect([first.body.items[0].observerId, next.body.items[0].observerId]).toEqual([pseudonym, pseudonym]);
    expectNoTrace(first.text + next.text);
  });

  it('the exports, CSV and GeoJSON', async () => {
    const api = bearer(s.url, member.token);
    const csv = await api.get('/api/exports/reports.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(pseudonym);
    expectNoTrace(csv.text);
    const geo = await api.get('/api/exports/reports.geojson');
    expect(geo.status).toBe(200);
    const features = JSON.parse(geo.text).features as Array<{ properties: { observerId: string } }>;
    expect(features.map((f) => f.properties.observerId)).toEqual([pseudonym, pseudonym]);
    expectNoTrace(geo.text);
  });

  it('the audit log, and its actor filter does not find an observer by their username', async () => {
    const api = bearer(s.url, member.token);
    const log = await api.get('/api/audit?limit=200');
    expect(log.status).toBe(200);
    const rows = log.body.items as Array<{ action: string; actorId: string | null; actorName: string | null }>;
    const addition = rows.find((r) => r.action === 'report_addition')!;
    expect(addition).toMatchObject({ actorId: pseudonym, actorName: pseudonym });
    expectNoTrace(log.text);

    expect((await api.get(`/api/audit?actor=${observer.username}`)).body.items).toEqual([]);
    const byPseudonym = await api.get(`/api/audit?actor=${pseudonym.slice(-8)}`);
    expect(byPseudonym.body.items.map((r: { action: string }) => r.action)).toContain('report_addition');
  });
});

describe('failed sign-ins in the audit log', () => {
  it("do not show a commission member the observer's username (or a slip of it) typed at a sign-in that failed", async () => {
    const basic = (name: string) => `Basic ${Buffer.from(`${name}:wrong-password`).toString('base64')}`;
    const slip = `${observer.username}x`;
    for (const name of [observer.username, slip, member.username]) {
      const res = await fetch(`${s.url}/formList`, { headers: { authorization: basic(name) } });
      expect(res.status).toBe(401);
    }
    const api = bearer(s.url, member.token);
    const log = await api.get('/api/audit?action=login_failed&limit=200');
    expect(log.status).toBe(200);
    expectNoTrace(log.text);
    expect(log.text).not.toContain(slip);
    // A commission or admin account's name typed is theirs to see, as before.
    expect(log.body.items.map((r: { actorName: string | null }) => r.actorName)).toContain(member.username);
    // Nor does the actor filter find the observer's failed sign-ins by the name.
    expect((await api.get(`/api/audit?action=login_failed&actor=${observer.username}`)).body.items).toEqual([]);
    // An admin sees what was typed.
    const all = await bearer(s.url, admin.token).get('/api/audit?action=login_failed&limit=200');
    expect(all.text).toContain(slip);
  });
});

describe('an admin', () => {
  it('still sees the account id and the name', async () => {
    const api = bearer(s.url, admin.token);
    expect((await api.get(`/api/reports/${reportIds[0]}`)).body.observerId).toBe(observer.user.id);
    const detail = await api.get(`/api/incidents/${incidentId}`);
    expect(detail.body.reports[0].observerId).toBe(observer.user.id);
    expect(detail.text).toContain(observer.username);
    expect((await api.get('/api/exports/reports.csv')).text).toContain(observer.user.id);
    // The observerId filter takes either key from an admin: the account id, or the pseudonym others are shown.
    for (const key of [observer.user.id, pseudonym]) {
      const list = await api.get(`/api/reports?observerId=${key}`);
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(2);
    }
    const log = await api.get(`/api/audit?actor=${observer.username}`);
    expect(log.body.items.some((r: { actorId: string }) => r.actorId === observer.user.id)).toBe(true);
  });
});
