// Who may call what: every route of the OpenAPI document × every role (anonymous, an observer, another
// observer, commission, admin), with the status each must get. A route missing from the table fails the
// coverage test, so a new route cannot land without its access rules being written down here.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { collectXml } from '../../../bench/fixtures.ts';

type Role = 'anonymous' | 'observer' | 'otherObserver' | 'commission' | 'admin';
const ROLES: Role[] = ['anonymous', 'observer', 'otherObserver', 'commission', 'admin'];
/** A status, or 'allowed': the policy lets the call through (not 401/403) and it does not fail (not 5xx). */
type Expect = number | 'allowed';
interface Case {
  method: string;
  path: string;
  req: () => { url: string; body?: RequestInit['body']; headers?: Record<string, string> };
  expect: Record<Role, Expect>;
  /** An endless response (server-sent events): only its status is read, then the stream is dropped. */
  stream?: boolean;
}

let s: TestServer;
let u: Record<Exclude<Role, 'anonymous'>, TestUser>;
const ids = {
  report: '',
  attachment: '',
  incident: '',
  digest: '',
  otherToken: '',
  otherTokenOwner: '',
  webhook: '',
  commissionFilter: '',
  adminFilter: '',
  upload: '',
  uploadToDelete: '',
  commissionNotice: '',
};
let documented: Array<{ method: string; path: string }>;

const all = (e: Expect): Record<Role, Expect> => ({
  anonymous: e,
  observer: e,
  otherObserver: e,
  commission: e,
  admin: e,
});
const signedIn = (e: Expect, anonymous: Expect = 401) => ({ ...all(e), anonymous });
const staff = (e: Expect) => ({ anonymous: 401, observer: 403, otherObserver: 403, commission: e, admin: e });
const commissionOnly = (e: Expect) => ({
  anonymous: 401,
  observer: 403,
  otherObserver: 403,
  commission: e,
  admin: 403,
});
const adminOnly = (e: Expect) => ({ anonymous: 401, observer: 403, otherObserver: 403, commission: 403, admin: e });
// The observer's own report and evidence: theirs and staff's to read; another observer gets 404, as if absent.
const ownerAndStaff = (e: Expect) => ({ anonymous: 401, observer: e, otherObserver: 404, commission: e, admin: e });
const filers = (e: Expect) => ({ anonymous: 401, observer: e, otherObserver: e, commission: 403, admin: 403 });
const json = (url: string, body: unknown) => () => ({
  url,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});
const get = (url: string | (() => string)) => () => ({ url: typeof url === 'string' ? url : url() });

function submission() {
  const form = new FormData();
  form.append(
    'xml_submission_file',
    new Blob([collectXml(makeReport(), null)], { type: 'text/xml' }),
    'submission.xml',
  );
  return { url: '/submission', body: form };
}

const CASES: Case[] = [
  // A fresh unknown name each time: the per-account login limiter would otherwise answer 429.
  {
    method: 'post',
    path: '/api/auth/login',
    req: () =>
      json('/api/auth/login', { username: `nobody.${randomBytes(4).toString('hex')}`, password: 'wrong-password' })(),
    expect: all(401),
  },
  { method: 'post', path: '/api/auth/logout', req: () => ({ url: '/api/auth/logout' }), expect: all(204) },
  { method: 'get', path: '/api/auth/me', req: get('/api/auth/me'), expect: signedIn(200) },
  { method: 'get', path: '/api/auth/csrf', req: get('/api/auth/csrf'), expect: all(200) },
  {
    method: 'post',
    path: '/api/auth/token',
    req: () =>
      json('/api/auth/token', { username: `nobody.${randomBytes(4).toString('hex')}`, password: 'wrong-password' })(),
    expect: all(401),
  },
  { method: 'get', path: '/api/auth/tokens', req: get('/api/auth/tokens'), expect: signedIn(200) },
  // ODK Collect's QR setup makes a token for an observer; nobody else files reports.
  { method: 'post', path: '/api/auth/odk-setup', req: () => ({ url: '/api/auth/odk-setup' }), expect: filers(201) },
  // Revoking someone else's token looks like revoking one that does not exist.
  {
    method: 'delete',
    path: '/api/auth/tokens/{id}',
    req: () => ({ url: `/api/auth/tokens/${ids.otherToken}` }),
    expect: signedIn(404),
  },
  // One's own browser sessions (a bearer client has none open here; ending none is fine, someone else's is a 404).
  { method: 'get', path: '/api/auth/sessions', req: get('/api/auth/sessions'), expect: signedIn(200) },
  {
    method: 'delete',
    path: '/api/auth/sessions',
    req: () => ({ url: '/api/auth/sessions?scope=others' }),
    expect: signedIn(200),
  },
  {
    method: 'delete',
    path: '/api/auth/sessions/{id}',
    req: () => ({ url: '/api/auth/sessions/not-a-session-of-yours' }),
    expect: signedIn(404),
  },
  // The second step of signing in exists only on a session waiting for it: nobody here has one.
  { method: 'get', path: '/api/auth/second-factor', req: get('/api/auth/second-factor'), expect: all(401) },
  {
    method: 'post',
    path: '/api/auth/second-factor/verify',
    req: json('/api/auth/second-factor/verify', { code: '123456' }),
    expect: all(401),
  },
  {
    method: 'post',
    path: '/api/auth/second-factor/enrollment',
    req: () => ({ url: '/api/auth/second-factor/enrollment' }),
    expect: all(401),
  },
  {
    method: 'post',
    path: '/api/auth/second-factor/enrollment/confirm',
    req: json('/api/auth/second-factor/enrollment/confirm', { code: '123456' }),
    expect: all(401),
  },
  { method: 'get', path: '/api/reports', req: get('/api/reports'), expect: signedIn(200) },
  { method: 'post', path: '/api/reports', req: () => json('/api/reports', makeReport())(), expect: filers(201) },
  {
    method: 'get',
    path: '/api/reports/{id}',
    req: get(() => `/api/reports/${ids.report}`),
    expect: ownerAndStaff(200),
  },
  // Resumable uploads: observers file photos; another observer's upload is not found.
  {
    method: 'post',
    path: '/api/uploads',
    req: json('/api/uploads', { lengthBytes: 10, originalName: 'a.jpg' }),
    expect: filers(201),
  },
  ...['head', 'get'].map((method) => ({
    method,
    path: '/api/uploads/{id}',
    req: get(() => `/api/uploads/${ids.upload}`),
    expect: { anonymous: 401, observer: 200, otherObserver: 404, commission: 403, admin: 403 },
  })),
  {
    method: 'patch',
    path: '/api/uploads/{id}',
    req: () => ({
      url: `/api/uploads/${ids.upload}`,
      body: 'x',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    }),
    expect: { anonymous: 401, observer: 200, otherObserver: 404, commission: 403, admin: 403 },
  },
  {
    method: 'delete',
    path: '/api/uploads/{id}',
    req: () => ({ url: `/api/uploads/${ids.uploadToDelete}` }),
    expect: { anonymous: 401, observer: 204, otherObserver: 404, commission: 403, admin: 403 },
  },
  // Only the report's own observer adds to it; another observer's addition finds no report.
  {
    method: 'post',
    path: '/api/reports/{id}/additions',
    req: () => json(`/api/reports/${ids.report}/additions`, { text: 'access test' })(),
    expect: { anonymous: 401, observer: 201, otherObserver: 404, commission: 403, admin: 403 },
  },
  {
    method: 'patch',
    path: '/api/reports/{id}/classification',
    req: () =>
      json(`/api/reports/${ids.report}/classification`, {
        terms: ['hostilities'],
        stance: 'violation',
        note: 'access test',
      })(),
    expect: commissionOnly(200),
  },
  {
    method: 'get',
    path: '/api/attachments/{id}',
    req: get(() => `/api/attachments/${ids.attachment}`),
    expect: ownerAndStaff(200),
  },
  {
    method: 'get',
    path: '/api/attachments/{id}/thumbnail',
    req: get(() => `/api/attachments/${ids.attachment}/thumbnail`),
    expect: ownerAndStaff(200),
  },
  { method: 'get', path: '/api/places', req: get('/api/places?q=sir'), expect: signedIn(200) },
  { method: 'get', path: '/api/users', req: get('/api/users'), expect: adminOnly(200) },
  {
    method: 'post',
    path: '/api/users',
    req: () =>
      json('/api/users', {
        username: `made.${randomBytes(4).toString('hex')}`,
        password: 'long-enough-pass',
        role: 'observer',
      })(),
    expect: adminOnly(201),
  },
  {
    method: 'patch',
    path: '/api/users/{id}',
    req: () => json(`/api/users/${u.otherObserver.user.id}`, { displayName: 'Renamed in access test' })(),
    expect: adminOnly(200),
  },
  {
    method: 'delete',
    path: '/api/users/{id}/second-factor',
    req: () => ({ url: `/api/users/${u.otherObserver.user.id}/second-factor` }),
    expect: adminOnly(200),
  },
  {
    method: 'post',
    path: '/api/users/{id}/password',
    // The account keeps the password it had: later rows may still sign in with it.
    req: () => json(`/api/users/${u.otherObserver.user.id}/password`, { password: u.otherObserver.password })(),
    expect: adminOnly(200),
  },
  {
    method: 'post',
    path: '/api/users/{id}/odk-setup',
    req: () => ({ url: `/api/users/${u.otherObserver.user.id}/odk-setup` }),
    expect: adminOnly(201),
  },
  {
    method: 'get',
    path: '/api/users/{id}/tokens',
    req: get(() => `/api/users/${ids.otherTokenOwner}/tokens`),
    expect: adminOnly(200),
  },
  {
    method: 'delete',
    path: '/api/users/{id}/tokens/{tokenId}',
    req: () => ({ url: `/api/users/${ids.otherTokenOwner}/tokens/${ids.otherToken}` }),
    expect: adminOnly(204),
  },
  { method: 'get', path: '/api/incidents', req: get('/api/incidents'), expect: staff(200) },
  { method: 'get', path: '/api/incidents/map', req: get('/api/incidents/map'), expect: staff(200) },
  {
    method: 'get',
    path: '/api/incidents/events',
    req: get('/api/incidents/events'),
    expect: staff(200),
    stream: true,
  },
  { method: 'get', path: '/api/incidents/assignees', req: get('/api/incidents/assignees'), expect: staff(200) },
  { method: 'get', path: '/api/incidents/{id}', req: get(() => `/api/incidents/${ids.incident}`), expect: staff(200) },
  {
    method: 'get',
    path: '/api/incidents/{id}/reports',
    req: get(() => `/api/incidents/${ids.incident}/reports`),
    expect: staff(200),
  },
  {
    method: 'get',
    path: '/api/incidents/{id}/photo-matches',
    req: get(() => `/api/incidents/${ids.incident}/photo-matches`),
    expect: staff(200),
  },
  {
    method: 'get',
    path: '/api/incidents/{id}/custody',
    req: get(() => `/api/incidents/${ids.incident}/custody`),
    expect: staff(200),
  },
  // A report that does not exist: the admin gets through the policy to the 404 (the erasure itself is tested apart).
  {
    method: 'post',
    path: '/api/reports/{id}/erasure',
    req: () => json(`/api/reports/${randomUUID()}/erasure`, { reason: 'access test' })(),
    expect: adminOnly(404),
  },
  {
    method: 'patch',
    path: '/api/incidents/{id}',
    req: () => json(`/api/incidents/${ids.incident}`, { assigneeId: null })(),
    expect: commissionOnly(200),
  },
  {
    method: 'post',
    path: '/api/incidents/{id}/comments',
    req: () => json(`/api/incidents/${ids.incident}/comments`, { body: 'Checked with a second observer.' })(),
    expect: commissionOnly(201),
  },
  {
    method: 'post',
    path: '/api/incidents/{id}/merge',
    req: () => json(`/api/incidents/${ids.incident}/merge`, { otherId: randomUUID() })(),
    expect: commissionOnly('allowed'),
  },
  {
    method: 'post',
    path: '/api/incidents/{id}/split',
    req: () => json(`/api/incidents/${ids.incident}/split`, { reportIds: [randomUUID()] })(),
    expect: commissionOnly('allowed'),
  },
  {
    method: 'post',
    path: '/api/incidents/bulk',
    req: json('/api/incidents/bulk', { ids: [randomUUID()], action: 'assign', assigneeId: null }),
    expect: commissionOnly('allowed'),
  },
  { method: 'get', path: '/api/digests', req: get('/api/digests'), expect: staff(200) },
  {
    method: 'post',
    path: '/api/digests',
    req: json('/api/digests', { from: '2020-11-16T00:00:00+02:00', to: '2020-11-23T00:00:00+02:00' }),
    expect: staff(201),
  },
  {
    method: 'get',
    path: '/api/digests/{id}',
    req: get(() => `/api/digests/${ids.digest}?format=json`),
    expect: staff(200),
  },
  { method: 'get', path: '/api/jobs/failed', req: get('/api/jobs/failed'), expect: staff(200) },
  { method: 'get', path: '/api/audit', req: get('/api/audit'), expect: staff(200) },
  { method: 'get', path: '/api/audit/actions', req: get('/api/audit/actions'), expect: staff(200) },
  {
    method: 'post',
    path: '/api/jobs/failed/{queue}/{jobId}/retry',
    req: () => ({ url: '/api/jobs/failed/reports/no-such-job/retry' }),
    expect: staff(404),
  },
  { method: 'get', path: '/api/webhooks/events', req: get('/api/webhooks/events'), expect: adminOnly(200) },
  { method: 'get', path: '/api/webhooks', req: get('/api/webhooks'), expect: adminOnly(200) },
  {
    method: 'post',
    path: '/api/webhooks',
    req: json('/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['incident.verified'] }),
    expect: adminOnly(201),
  },
  {
    method: 'patch',
    path: '/api/webhooks/{id}',
    req: () => json(`/api/webhooks/${ids.webhook}`, { description: 'access test' })(),
    expect: adminOnly(200),
  },
  {
    method: 'post',
    path: '/api/webhooks/{id}/secret',
    req: () => ({ url: `/api/webhooks/${ids.webhook}/secret` }),
    expect: adminOnly(200),
  },
  {
    method: 'get',
    path: '/api/webhooks/deliveries',
    req: get('/api/webhooks/deliveries?status=dead'),
    expect: adminOnly(200),
  },
  {
    method: 'get',
    path: '/api/webhooks/deliveries/{id}',
    req: get(`/api/webhooks/deliveries/${randomUUID()}`),
    expect: adminOnly(404),
  },
  {
    method: 'post',
    path: '/api/webhooks/deliveries/{id}/resend',
    req: () => ({ url: `/api/webhooks/deliveries/${randomUUID()}/resend` }),
    expect: adminOnly(404),
  },
  // The gateway's webhook takes the gateway secret only: no account's token or session opens it.
  {
    method: 'post',
    path: '/api/sms/inbound',
    req: () => ({
      url: '/api/sms/inbound',
      body: 'from=%2B218912345678&text=R+Sirte+LAAF+shelling',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    expect: all(401),
  },
  { method: 'get', path: '/api/sms/messages', req: get('/api/sms/messages'), expect: adminOnly(200) },
  // Saved filters: staff keep their own; another account's filter is not found, even by an admin.
  { method: 'get', path: '/api/saved-filters', req: get('/api/saved-filters'), expect: staff(200) },
  {
    method: 'post',
    path: '/api/saved-filters',
    req: json('/api/saved-filters', { view: 'reports', name: 'access test', query: { flagged: 'true' } }),
    expect: staff(201),
  },
  {
    method: 'patch',
    path: '/api/saved-filters/{id}',
    req: () => json(`/api/saved-filters/${ids.commissionFilter}`, { name: 'access test, renamed' })(),
    expect: { ...staff(200), admin: 404 },
  },
  {
    method: 'delete',
    path: '/api/saved-filters/{id}',
    req: () => ({ url: `/api/saved-filters/${ids.adminFilter}` }),
    expect: { ...staff(204), commission: 404 },
  },
  // Notifications: staff have an inbox of their own; another account's notice is not found.
  { method: 'get', path: '/api/notifications', req: get('/api/notifications'), expect: staff(200) },
  {
    method: 'post',
    path: '/api/notifications/{id}/read',
    req: () => ({ url: `/api/notifications/${ids.commissionNotice}/read` }),
    expect: { ...staff(200), admin: 404 },
  },
  { method: 'get', path: '/api/notifications/settings', req: get('/api/notifications/settings'), expect: staff(200) },
  {
    method: 'patch',
    path: '/api/notifications/settings',
    req: json('/api/notifications/settings', { emailNotifications: true }),
    expect: staff(200),
  },
  {
    method: 'post',
    path: '/api/notifications/read-all',
    req: () => ({ url: '/api/notifications/read-all' }),
    expect: staff(200),
  },
  ...['retry', 'dismiss'].map((action) => ({
    method: 'post',
    path: `/api/sms/messages/{id}/${action}`,
    req: () => ({ url: `/api/sms/messages/${randomUUID()}/${action}` }),
    expect: adminOnly(404),
  })),
  ...['incidents', 'reports'].flatMap((kind) =>
    ['csv', 'geojson'].map((format) => ({
      method: 'get',
      path: `/api/exports/${kind}.${format}`,
      req: get(`/api/exports/${kind}.${format}`),
      expect: staff(200),
    })),
  ),
  // OpenRosa speaks Basic or a bearer/key; anonymous gets the Basic challenge.
  { method: 'get', path: '/formList', req: get('/formList'), expect: signedIn(200) },
  {
    method: 'get',
    path: '/forms/{formId}/form.xml',
    req: get('/forms/ceasefire_report/form.xml'),
    expect: signedIn(200),
  },
  { method: 'head', path: '/submission', req: () => ({ url: '/submission' }), expect: signedIn(204) },
  { method: 'post', path: '/submission', req: submission, expect: filers(201) },
];

beforeAll(async () => {
  s = await startTestServer({ relay: false, env: { SMS_GATEWAY_SECRET: 'access-matrix-gateway-secret' } });
  u = {
    observer: await s.makeUser('observer'),
    otherObserver: await s.makeUser('observer'),
    commission: await s.makeUser('commission'),
    admin: await s.makeUser('admin'),
  };
  const filed = await bearer(s.url, u.observer.token).form(
    '/api/reports',
    reportForm(makeReport(), [{ data: await makeJpeg(31), name: 'evidence.jpg', type: 'image/jpeg' }]),
  );
  ids.report = filed.body.id;
  ids.attachment = filed.body.attachments[0].id;
  // A token of a user outside the table: nobody in it may revoke another's token.
  const bystander = await s.makeUser('observer');
  ids.otherToken = (await s.rt.db.apiToken.findFirstOrThrow({ where: { userId: bystander.user.id } })).id;
  ids.otherTokenOwner = bystander.user.id;
  const incident = await s.rt.db.incident.create({
    data: {
      firstObservedAt: new Date('2020-11-14T03:40:00Z'),
      lastObservedAt: new Date('2020-11-14T03:40:00Z'),
      reportCount: 1,
    },
  });
  await s.rt.db.report.update({ where: { id: ids.report }, data: { incidentId: incident.id } });
  ids.incident = incident.id;
  ids.commissionNotice = (
    await s.rt.db.notification.create({
      data: { recipientId: u.commission.user.id, kind: 'assigned', incidentId: incident.id, severity: 0 },
    })
  ).id;
  ids.webhook = (
    await bearer(s.url, u.admin.token).post('/api/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['digest.published'],
    })
  ).body.endpoint.id;
  const filter = async (owner: TestUser) =>
    (await bearer(s.url, owner.token).post('/api/saved-filters', { view: 'queue', name: 'matrix', query: {} })).body
      .id as string;
  const upload = async () =>
    (await bearer(s.url, u.observer.token).post('/api/uploads', { lengthBytes: 10, originalName: 'a.jpg' })).body
      .id as string;
  ids.upload = await upload();
  ids.uploadToDelete = await upload();
  ids.commissionFilter = await filter(u.commission);
  ids.adminFilter = await filter(u.admin);
  const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => !m.startsWith('x-') && m !== 'parameters')
      .map((method) => ({ method, path })),
  );
  if (documented.some((d) => d.path === '/api/digests/{id}')) {
    ids.digest = (
      await bearer(s.url, u.commission.token).post('/api/digests', {
        from: '2020-11-09T00:00:00+02:00',
        to: '2020-11-16T00:00:00+02:00',
      })
    ).body.id;
  }
});
afterAll(async () => {
  await s.close();
});

async function call(c: Case, role: Role): Promise<{ status: number; text: string }> {
  const r = c.req();
  const headers: Record<string, string> = { ...r.headers };
  if (role !== 'anonymous') headers.authorization = `Bearer ${u[role].token}`;
  const res = await fetch(s.url + r.url, { method: c.method.toUpperCase(), body: r.body, headers, redirect: 'manual' });
  if (c.stream && res.ok) {
    await res.body?.cancel();
    return { status: res.status, text: '' };
  }
  return { status: res.status, text: c.method === 'head' ? '' : await res.text() };
}

describe('access matrix: route × role', () => {
  it('covers every route of the OpenAPI document', () => {
    const covered = new Set(CASES.map((c) => `${c.method} ${c.path}`));
    const missing = documented.map((d) => `${d.method} ${d.path}`).filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
  });

  it('gives every role the status its policy allows', async () => {
    const live = new Set(documented.map((d) => `${d.method} ${d.path}`));
    const wrong: string[] = [];
    // Routes still to land in this session are in the table already; only documented ones are called.
    for (const c of CASES.filter((x) => live.has(`${x.method} ${x.path}`))) {
      for (const role of ROLES) {
        const want = c.expect[role];
        const got = await call(c, role);
        const ok = want === 'allowed' ? ![401, 403].includes(got.status) && got.status < 500 : got.status === want;
        if (!ok)
          wrong.push(
            `${c.method.toUpperCase()} ${c.path} as ${role}: ${got.status} (want ${want}) ${got.text.slice(0, 120)}`,
          );
      }
    }
    expect(wrong.join('\n')).toBe('');
  });

  it("never shows one observer's reports or evidence to another", async () => {
    const other = bearer(s.url, u.otherObserver.token);
    const list = await other.get(`/api/reports?observerId=${u.observer.user.id}&limit=100`);
    expect([200, 400]).toContain(list.status);
    if (list.status === 200)
      expect(list.body.items.every((r: { observerId: string }) => r.observerId === u.otherObserver.user.id)).toBe(true);
    const own = await bearer(s.url, u.observer.token).get('/api/reports?limit=100');
    expect(own.body.items.map((r: { id: string }) => r.id)).toContain(ids.report);
    // Guessing ids gets nowhere either: unknown and foreign ids answer alike.
    expect((await other.get(`/api/reports/${randomUUID()}`)).status).toBe(404);
    expect((await other.get(`/api/attachments/${randomUUID()}`)).status).toBe(404);
    // Filing as someone else is impossible: the author comes from the token.
    const forged = await other.post('/api/reports', { ...makeReport(), observerId: u.observer.user.id });
    expect(forged.status).toBe(422);
  });
});
