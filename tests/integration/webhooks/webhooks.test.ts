// Signed webhooks end to end, against real HTTP receivers (node:http servers in this test): an admin registers
// endpoints through the API; the domain's changes (a report received, an incident opened, verified, merged, a digest
// compiled) reach them through the outbox and the webhooks queue, signed; a 500 is retried with backoff, N failures
// leave a dead letter, and a resend delivers it. Registration, changes and resends are audited.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { startReceiver, type Received, type Receiver } from '../../helpers/receiver.ts';
import { roadReopened, shellingEn } from '../../helpers/factories.ts';
import { fileAndWaitProcessed, waitFor } from '../../helpers/wait.ts';
import { HEADERS, REPLAY_WINDOW_SECONDS, verifyWebhook } from '../../../src/webhooks/signature.ts';
import { EVENT_NAMES } from '../../../src/queue/names.ts';

const ATTEMPTS = 3;
const BACKOFF_MS = 150;

let s: TestServer;
let admin: ReturnType<typeof bearer>;
let observer: ReturnType<typeof bearer>;
let commission: ReturnType<typeof bearer>;
let all: Receiver;
let failing: Receiver;
let flaky: Receiver;
const endpoints: Record<string, { id: string; secret: string }> = {};

beforeAll(async () => {
  s = await startTestServer({
    workers: true,
    env: { WEBHOOK_MAX_ATTEMPTS: String(ATTEMPTS), WEBHOOK_BACKOFF_MS: String(BACKOFF_MS), WEBHOOK_TIMEOUT_MS: '2000' },
  });
  admin = bearer(s.url, (await s.makeUser('admin')).token);
  observer = bearer(s.url, (await s.makeUser('observer')).token);
  commission = bearer(s.url, (await s.makeUser('commission')).token);
  [all, failing, flaky] = await Promise.all([startReceiver(200), startReceiver(500), startReceiver(200)]);
});
afterAll(async () => {
  await s?.close();
  await Promise.all([all, failing, flaky].map((r) => r?.close()));
});

const bodyOf = (r: Received) => JSON.parse(r.body) as { id: string; type: string; occurredAt: string; data: any };
const ofType = (r: Receiver, type: string) => r.requests.filter((q) => bodyOf(q).type === type);
const signed = (r: Received, secret: string, now = Math.floor(Date.now() / 1000)) =>
  verifyWebhook(
    secret,
    {
      body: r.body,
      timestamp: r.headers[HEADERS.timestamp] as string,
      signature: r.headers[HEADERS.signature] as string,
    },
    now,
  );
const audits = (action: string) => s.rt.db.auditEvent.findMany({ where: { action }, orderBy: { seq: 'asc' } });
/** Everything committed has been relayed, and the webhooks queue is idle. */
const drained = () =>
  waitFor(async () => {
    const unpublished = await s.rt.db.outboxEvent.count({ where: { publishedAt: null } });
    const c = await s.rt.queues.get('webhooks')!.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return unpublished === 0 && Object.values(c).every((n) => n === 0);
  }, 'the outbox and the webhooks queue to drain');
const deliveries = async (query: string) => (await admin.get(`/api/webhooks/deliveries?${query}`)).body.items;

describe('registering endpoints', () => {
  it('lists the events an endpoint can subscribe to', async () => {
    const res = await admin.get('/api/webhooks/events');
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: { event: string }) => e.event)).toEqual(EVENT_NAMES);
  });

  it('registers endpoints, shows each secret once, and audits the registration without the secret', async () => {
    const register = async (name: string, url: string, events: string[]) => {
      const res = await admin.post('/api/webhooks', { url, events, description: name });
      expect(res.status).toBe(201);
      expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(res.body.endpoint).toMatchObject({ url, events: [...events].sort(), active: true, description: name });
      endpoints[name] = { id: res.body.endpoint.id, secret: res.body.secret };
    };
    await register('all', `${all.url}/hooks/all`, [...EVENT_NAMES]);
    await register('failing', `${failing.url}/hooks/digests`, ['digest.published']);
    await register('flaky', `${flaky.url}/hooks/merges`, ['incident.merged']);

    const listed = (await admin.get('/api/webhooks')).body.items;
    expect(listed.map((e: { id: string }) => e.id)).toEqual([
      endpoints.all!.id,
      endpoints.failing!.id,
      endpoints.flaky!.id,
    ]);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    const created = await audits('webhook_created');
    expect(created.map((a) => a.entityId)).toEqual(listed.map((e: { id: string }) => e.id));
    expect(JSON.stringify(created.map((a) => [a.before, a.after]))).not.toContain('whsec_');
    // Nor is the secret kept readable in the table.
    const stored = await s.rt.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoints.all!.id } });
    expect(stored.secret).not.toContain(endpoints.all!.secret.slice(6));
  });

  it('refuses what is not an http(s) address or an event', async () => {
    const bad = await admin.post('/api/webhooks', { url: 'ftp://example.org/x', events: ['report.received'] });
    expect(bad.status).toBe(422);
    const unknown = await admin.post('/api/webhooks', { url: `${all.url}/x`, events: ['report.deleted'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.issues[0].field).toBe('events.0');
  });
});

describe('events, signed', () => {
  let reportId: string;
  let incidentId: string;

  it('sends report.received and incident.created, each signed over "<timestamp>.<body>" with the endpoint secret', async () => {
    const report = await fileAndWaitProcessed(observer, shellingEn());
    reportId = report.id;
    incidentId = report.incidentId;
    const [received, created] = await waitFor(async () => {
      const r = ofType(all, 'report.received');
      const c = ofType(all, 'incident.created');
      return r.length && c.length ? [r[0]!, c[0]!] : null;
    }, 'report.received and incident.created at the receiver');

    const body = bodyOf(received);
    expect(body).toMatchObject({
      id: `report.received:${reportId}`,
      type: 'report.received',
      data: { report: { id: reportId, source: 'api', placeName: 'Sirte', partyAlleged: 'LAAF', attachments: 0 } },
    });
    // Who filed it and what they wrote stay out of the body.
    expect(received.body).not.toContain('Artillery');
    expect(received.body).not.toContain(report.observerId);
    expect(received.path).toBe('/hooks/all');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers[HEADERS.id]).toBe(body.id);
    expect(received.headers[HEADERS.event]).toBe('report.received');
    expect(bodyOf(created)).toMatchObject({
      type: 'incident.created',
      data: { incident: { id: incidentId, state: 'new', reportCount: 1 }, cause: 'report' },
    });

    const secret = endpoints.all!.secret;
    for (const r of [received, created]) {
      // The documented computation, written out here as a receiver would.
      const ts = r.headers[HEADERS.timestamp] as string;
      const expected = `v1=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
      expect(r.headers[HEADERS.signature]).toBe(expected);
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
      expect(signed(r, secret)).toBe(true);
    }
    // A changed body, another secret or a timestamp outside the replay window fail.
    expect(signed({ ...received, body: received.body.replace('Sirte', 'Tripoli') }, secret)).toBe(false);
    expect(signed(received, endpoints.failing!.secret)).toBe(false);
    const ts = Number(received.headers[HEADERS.timestamp]);
    expect(signed(received, secret, ts + REPLAY_WINDOW_SECONDS + 1)).toBe(false);
    expect(signed(received, secret, ts + REPLAY_WINDOW_SECONDS - 1)).toBe(true);
    // Endpoints not subscribed to these events heard nothing.
    expect(failing.requests).toEqual([]);
    expect(flaky.requests).toEqual([]);
  });

  it('sends incident.verified once the commission verifies, and nothing for a refused change', async () => {
    const refused = await commission.patch(`/api/incidents/${incidentId}`, { state: 'new' });
    expect(refused.status).toBe(200); // no change: already new
    const verified = await commission.patch(`/api/incidents/${incidentId}`, { state: 'verified', note: 'two sources' });
    expect(verified.status).toBe(200);
    const again = await commission.patch(`/api/incidents/${incidentId}`, { state: 'rejected' });
    expect(again.status).toBe(409); // verified → rejected is not a transition: rolled back, nothing to announce
    const [event] = await waitFor(async () => {
      const v = ofType(all, 'incident.verified');
      return v.length ? v : null;
    }, 'incident.verified');
    expect(bodyOf(event!).data).toMatchObject({
      incident: { id: incidentId, state: 'verified' },
      previousState: 'new',
      note: 'two sources',
    });
    expect(await s.rt.db.outboxEvent.count({ where: { topic: 'incident.verified' } })).toBe(1);
  });

  it('retries a delivery the receiver answered with a 500, with the same body and event id', async () => {
    const other = await fileAndWaitProcessed(observer, roadReopened());
    expect(other.incidentId).not.toBe(incidentId);
    flaky.answer(500);
    const merged = await commission.post(`/api/incidents/${incidentId}/merge`, { otherId: other.incidentId });
    expect(merged.status).toBe(200);
    await waitFor(async () => flaky.requests.length >= 2, 'the retry after the 500');
    const [first, second] = flaky.requests;
    expect(second!.body).toBe(first!.body);
    expect(second!.headers[HEADERS.id]).toBe(first!.headers[HEADERS.id]);
    expect(signed(first!, endpoints.flaky!.secret) && signed(second!, endpoints.flaky!.secret)).toBe(true);
    expect(bodyOf(first!).data).toMatchObject({
      incident: { id: incidentId, reportCount: 2 },
      mergedId: other.incidentId,
      movedReports: 1,
    });
    const [delivery] = await waitFor(async () => {
      const d = await deliveries(`endpointId=${endpoints.flaky!.id}&status=delivered`);
      return d.length ? d : null;
    }, 'the delivery to be delivered');
    const detail = (await admin.get(`/api/webhooks/deliveries/${delivery.id}`)).body;
    expect(detail.tries.map((t: { statusCode: number; attempt: number }) => [t.attempt, t.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect(detail.tries[0].response).toBe('refused with 500');
    expect(detail.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(BACKOFF_MS);
  });
});

describe('dead letters and resending', () => {
  let deadId: string;

  it(`leaves a delivery dead after ${ATTEMPTS} failed tries, each later than the one before (exponential backoff)`, async () => {
    const compiled = await commission.post('/api/digests', { from: '2020-11-09', to: '2020-11-15' });
    expect(compiled.status).toBe(201);
    const [dead] = await waitFor(
      async () => {
        const d = await deliveries('status=dead');
        return d.length ? d : null;
      },
      'a dead delivery',
      30_000,
    );
    deadId = dead.id;
    expect(dead).toMatchObject({
      endpointId: endpoints.failing!.id,
      event: 'digest.published',
      attempts: ATTEMPTS,
      lastStatusCode: 500,
      lastError: 'HTTP 500',
    });
    expect(failing.requests).toHaveLength(ATTEMPTS);
    const gaps = failing.requests.slice(1).map((r, i) => r.at - failing.requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * BACKOFF_MS);
    expect(bodyOf(failing.requests[0]!).data).toMatchObject({
      digest: { id: compiled.body.id, periodFrom: expect.any(String) },
      links: { pdf: `/api/digests/${compiled.body.id}?format=pdf` },
    });
    // The endpoint subscribed to everything had it on the first try.
    expect(ofType(all, 'digest.published')).toHaveLength(1);
  });

  it('resends a dead delivery as a new round (audited), the same event to the receiver', async () => {
    failing.fallback = 200;
    const res = await admin.post(`/api/webhooks/deliveries/${deadId}/resend`, {});
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: deadId, status: 'pending', round: 2 });
    await waitFor(
      async () => (await deliveries('status=delivered')).some((d: { id: string }) => d.id === deadId),
      'resent',
    );
    expect(failing.requests).toHaveLength(ATTEMPTS + 1);
    const last = failing.requests[ATTEMPTS]!;
    expect(last.headers[HEADERS.id]).toBe(failing.requests[0]!.headers[HEADERS.id]);
    expect(signed(last, endpoints.failing!.secret)).toBe(true);
    const detail = (await admin.get(`/api/webhooks/deliveries/${deadId}`)).body;
    expect(detail.tries.map((t: { round: number; statusCode: number }) => [t.round, t.statusCode])).toEqual([
      [1, 500],
      [1, 500],
      [1, 500],
      [2, 200],
    ]);
    const [resent] = await audits('webhook_resent');
    expect(resent).toMatchObject({ entityType: 'webhook', entityId: endpoints.failing!.id });
    expect(resent!.after).toMatchObject({ deliveryId: deadId, round: 2 });
    // A delivered one may be sent again too; an unknown one is a 404.
    expect((await admin.post(`/api/webhooks/deliveries/${deadId}/resend`, {})).status).toBe(202);
    expect((await admin.post(`/api/webhooks/deliveries/00000000-0000-4000-8000-000000000000/resend`, {})).status).toBe(
      404,
    );
  });

  it("tries a dead delivery again when its job is sent back from the jobs' dead letters", async () => {
    await drained(); // the resends above are settled: the next answers are this delivery's
    failing.answer(...Array<number>(ATTEMPTS).fill(500));
    const compiled = await commission.post('/api/digests', { from: '2020-11-16', to: '2020-11-22' });
    expect(compiled.status).toBe(201);
    const dead = await waitFor(async () => {
      const d = await deliveries(`status=dead&endpointId=${endpoints.failing!.id}`);
      return d.length ? d[0] : null;
    }, 'the second dead delivery');
    const failed = (await admin.get('/api/jobs/failed')).body;
    const job = failed.find((j: { data: { deliveryId?: string } }) => j.data.deliveryId === dead.id);
    expect(job).toMatchObject({ queue: 'webhooks', name: 'deliver-webhook', attemptsMade: ATTEMPTS });
    const n = failing.requests.length;
    expect((await admin.post(`/api/jobs/failed/webhooks/${job.jobId}/retry`, {})).status).toBe(202);
    await waitFor(
      async () => (await admin.get(`/api/webhooks/deliveries/${dead.id}`)).body.status === 'delivered',
      'sent',
    );
    expect(failing.requests.length).toBe(n + 1);
    expect(bodyOf(failing.requests[n]!).data.digest.id).toBe(compiled.body.id);
  });

  it('stops sending to a disabled endpoint and audits the change', async () => {
    const off = await admin.patch(`/api/webhooks/${endpoints.all!.id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const [changed] = await audits('webhook_updated');
    expect(changed).toMatchObject({ entityId: endpoints.all!.id, before: { active: true }, after: { active: false } });
    const before = all.requests.length;
    await fileAndWaitProcessed(observer, shellingEn());
    // Everything the report and its processing committed has been relayed, and the webhooks queue is idle.
    await drained();
    expect(all.requests.length).toBe(before);
  });

  it('rotates a secret (audited): the new one signs from then on', async () => {
    const rotated = await admin.post(`/api/webhooks/${endpoints.flaky!.id}/secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoints.flaky!.secret);
    expect(await audits('webhook_secret_rotated')).toHaveLength(1);
    const [delivery] = await deliveries(`endpointId=${endpoints.flaky!.id}`);
    const n = flaky.requests.length;
    expect((await admin.post(`/api/webhooks/deliveries/${delivery.id}/resend`, {})).status).toBe(202);
    await waitFor(async () => flaky.requests.length > n, 'the resend');
    expect(signed(flaky.requests[n]!, rotated.body.secret)).toBe(true);
    expect(signed(flaky.requests[n]!, endpoints.flaky!.secret)).toBe(false);
  });
});
