// Operations against the real services: Prometheus's /metrics behind METRICS_TOKEN (404 without one configured, 401
// without the token), counting what the API and the workers did (intake, processing lag, classification, dedup, job
// failures, webhook tries, SMS) and reading the shared state (queue depths, backlog, outbox, dead deliveries, held
// SMS); a worker-only process's own metrics port; the read-only queue dashboard for admin sessions only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { fileAndWaitProcessed, waitFor } from '../../helpers/wait.ts';
import { roadReopened, shellingAr, shellingEn } from '../../helpers/factories.ts';
import { startMetricsServer } from '../../../src/metrics/server.ts';
import { QUEUES } from '../../../src/queue/names.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
const SMS_SECRET = 'sms-secret-for-metrics-tests';

let s: TestServer;
let admin: TestUser;
let observer: TestUser;

beforeAll(async () => {
  s = await startTestServer({
    workers: true,
    env: {
      METRICS_TOKEN: TOKEN,
      SMS_GATEWAY_SECRET: SMS_SECRET,
      WEBHOOK_MAX_ATTEMPTS: '2',
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_TIMEOUT_MS: '500',
    },
  });
  admin = await s.makeUser('admin');
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  await s?.close();
});

const scrape = async (base = s.url, token = TOKEN) => {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.text();
};
/** The value of one series, e.g. value(text, 'ceasefire_reports_received_total', { source: 'api' }). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('is refused without the token, with a wrong one, and with an API token', async () => {
    const none = await fetch(`${s.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const api = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(api.status).toBe(401);
    expect(
      (await fetch(`${s.url}/metrics`, { headers: { authorization: `Basic ${btoa(`x:${TOKEN}`)}` } })).status,
    ).toBe(401);
  });

  it('does not exist while METRICS_TOKEN is unset', async () => {
    const off = await startTestServer({ relay: false });
    try {
      const res = await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('counts intake, processing, its lag, classification, dedup and HTTP latency', async () => {
    const client = bearer(s.url, observer.token);
    const reports = [];
    for (const body of [shellingEn(), shellingAr(), roadReopened()])
      reports.push(await fileAndWaitProcessed(client, body));
    // A job is counted when BullMQ reports it completed, a moment after its report's commit; the incidents it
    // opened are announced through the outbox, relayed a moment later.
    const text = await waitFor(async () => {
      const t = await scrape();
      const counted = value(t, 'ceasefire_jobs_done_total', { queue: 'reports', outcome: 'processed' }) === 3;
      return counted && value(t, 'ceasefire_outbox_unpublished') === 0 ? t : null;
    }, 'three report jobs counted and the outbox relayed');
    expect(text).toContain('# TYPE ceasefire_http_request_duration_seconds histogram');
    expect(value(text, 'ceasefire_reports_received_total', { source: 'api' })).toBe(3);
    expect(value(text, 'ceasefire_jobs_done_total', { queue: 'reports', outcome: 'processed' })).toBe(3);
    expect(value(text, 'ceasefire_job_wait_seconds_count', { queue: 'reports' })).toBe(3);
    expect(value(text, 'ceasefire_job_wait_seconds_sum', { queue: 'reports' })).toBeGreaterThan(0);
    // The shelling told twice is one incident; the road reopening another.
    expect(new Set(reports.map((r) => r.incidentId)).size).toBe(2);
    expect(value(text, 'ceasefire_dedup_decisions_total', { decision: 'opened' })).toBe(2);
    expect(value(text, 'ceasefire_dedup_decisions_total', { decision: 'joined' })).toBe(1);
    expect(value(text, 'ceasefire_reports_classified_total', { stance: 'violation' })).toBe(2);
    expect(value(text, 'ceasefire_report_terms_total', { term: 'hostilities' })).toBe(2);
    expect(
      value(text, 'ceasefire_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/reports',
        status: '201',
      }),
    ).toBe(3);
    // A report's id never becomes a label: the matched pattern does.
    expect(value(text, 'ceasefire_http_request_duration_seconds_count', { route: '/api/reports/:id' })).toBeGreaterThan(
      0,
    );
    expect(text).not.toContain(reports[0].id);
    expect(value(text, 'ceasefire_reports_unprocessed')).toBe(0);
    expect(value(text, 'ceasefire_oldest_unprocessed_report_age_seconds')).toBe(0);
    expect(value(text, 'ceasefire_queue_jobs', { queue: 'reports', state: 'waiting' })).toBe(0);
    expect(value(text, 'ceasefire_queue_jobs', { queue: 'reports', state: 'failed' })).toBe(0);
    expect(value(text, 'ceasefire_outbox_oldest_unpublished_age_seconds')).toBe(0);
    expect(value(text, 'ceasefire_process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts failures: failed tries, dead letters, dead webhook deliveries', async () => {
    const hook = await bearer(s.url, admin.token).post('/api/webhooks', {
      url: 'http://127.0.0.1:9/closed',
      events: ['report.received'],
    });
    expect(hook.status).toBe(201);
    await bearer(s.url, observer.token).post('/api/reports', shellingEn());
    const text = await waitFor(async () => {
      const t = await scrape();
      const dead = value(t, 'ceasefire_webhook_deliveries', { status: 'dead' }) === 1;
      return dead && value(t, 'ceasefire_jobs_failed_total', { queue: 'webhooks', final: 'true' }) === 1 ? t : null;
    }, 'the delivery dead and its job failed');
    expect(value(text, 'ceasefire_webhook_tries_total', { outcome: 'failed' })).toBe(2);
    expect(value(text, 'ceasefire_jobs_failed_total', { queue: 'webhooks', final: 'false' })).toBe(1);
    expect(value(text, 'ceasefire_jobs_failed_total', { queue: 'webhooks', final: 'true' })).toBe(1);
    expect(value(text, 'ceasefire_queue_jobs', { queue: 'webhooks', state: 'failed' })).toBe(1);
    expect(value(text, 'ceasefire_webhook_deliveries', { status: 'pending' })).toBe(0);
  });

  it('counts inbound SMS and those held for an admin', async () => {
    const res = await fetch(`${s.url}/api/sms/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-gateway-secret': SMS_SECRET },
      body: new URLSearchParams({ from: '+218900000001', text: 'R Sirte LAAF shelling' }),
    });
    expect(res.status).toBe(200);
    const text = await scrape();
    expect(value(text, 'ceasefire_sms_received_total', { status: 'unknown_sender' })).toBe(1);
    expect(value(text, 'ceasefire_sms_held')).toBe(1);
  });

  it('shows a backlog while nothing processes it: unprocessed reports, their age, the outbox', async () => {
    const idle = await startTestServer({ relay: false, env: { METRICS_TOKEN: TOKEN } });
    try {
      const client = bearer(idle.url, (await idle.makeUser('observer')).token);
      for (const body of [shellingEn(), roadReopened()])
        expect((await client.post('/api/reports', body)).status).toBe(201);
      await new Promise((r) => setTimeout(r, 20));
      const text = await scrape(idle.url);
      expect(value(text, 'ceasefire_reports_unprocessed')).toBe(2);
      expect(value(text, 'ceasefire_oldest_unprocessed_report_age_seconds')).toBeGreaterThan(0);
      expect(value(text, 'ceasefire_outbox_unpublished')).toBe(2);
      expect(value(text, 'ceasefire_outbox_oldest_unpublished_age_seconds')).toBeGreaterThan(0);
    } finally {
      await idle.close();
    }
  });

  it('serves a worker-only process its own port, behind the same token', async () => {
    const server = await startMetricsServer(s.rt, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const text = await scrape(base);
      expect(value(text, 'ceasefire_jobs_done_total', { queue: 'reports', outcome: 'processed' })).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});

describe('the queue dashboard', () => {
  it('sends a browser without a session to sign in, and refuses programs and API tokens', async () => {
    const page = await fetch(`${s.url}/admin/queues`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/review/');
    expect((await fetch(`${s.url}/admin/queues/api/queues`)).status).toBe(401);
    expect((await bearer(s.url, admin.token).get('/admin/queues/api/queues')).status).toBe(401);
  });

  it('is refused to a commission member', async () => {
    const member = browser(s.url);
    expect((await member.signIn(await s.makeUser('commission'))).status).toBe(200);
    expect((await member.get('/admin/queues/api/queues')).status).toBe(403);
  });

  it('shows every queue to an admin session, read-only: state changes are refused', async () => {
    const b = browser(s.url);
    expect((await b.signIn(admin)).status).toBe(200);
    const page = await b.get('/admin/queues');
    expect(page.status).toBe(200);
    expect(page.text).toContain('__UI_CONFIG__');
    expect(page.text).toContain('Ceasefire queues');
    const queues = await b.get('/admin/queues/api/queues');
    expect(queues.status).toBe(200);
    const names = queues.body.queues.map((q: { name: string }) => q.name).sort();
    // Every queue the workers run, whichever features add one.
    expect(names).toEqual(Object.values(QUEUES).sort());
    expect(queues.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
    // Without the CSRF token (as bull-board's UI sends it) 403; even with it, bull-board refuses (read-only).
    const put = (csrf: boolean) =>
      b.put('/admin/queues/api/queues/webhooks/retry/failed', {}, { csrf }).then((r) => r.status);
    expect(await put(false)).toBe(403);
    expect(await put(true)).toBe(405);
    expect(value(await scrape(), 'ceasefire_queue_jobs', { queue: 'webhooks', state: 'failed' })).toBe(1);
  });
});
