import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { makeReport, reportForm } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let admin: TestUser;

beforeAll(async () => {
  s = await startTestServer({ relay: false, env: { LOGIN_MAX_ATTEMPTS: '3' } });
  observer = await s.makeUser('observer');
  admin = await s.makeUser('admin');
});
afterAll(async () => {
  await s.close();
});

describe('browser sessions', () => {
  it('logs in, sees itself, files a report with the CSRF token, logs out', async () => {
    const b = browser(s.url);
    const login = await b.login(observer.username, observer.password);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ username: observer.username, role: 'observer' });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('cf.sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((await b.get('/api/auth/me')).body.user.id).toBe(observer.user.id);
    const filed = await b.form('/api/reports', reportForm(makeReport()));
    expect(filed.status).toBe(201);
    expect(filed.body.source).toBe('web');
    expect((await b.post('/api/auth/logout', {})).status).toBe(204);
    expect((await b.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses a session write without the CSRF token', async () => {
    const b = browser(s.url);
    await b.login(observer.username, observer.password);
    const before = await s.rt.db.report.count();
    b.setCsrf(undefined);
    const res = await b.post('/api/reports', makeReport());
    expect(res.status).toBe(403);
    b.setCsrf('forged-token');
    expect((await b.post('/api/reports', makeReport())).status).toBe(403);
    expect(await s.rt.db.report.count()).toBe(before);
  });

  it('stores sessions server-side in PostgreSQL', async () => {
    const b = browser(s.url);
    await b.login(observer.username, observer.password);
    const sid = decodeURIComponent(b.jar.get('cf.sid')!).replace(/^s:/, '').split('.')[0];
    const row = await s.rt.db.session.findUnique({ where: { sid } });
    expect((row?.sess as { passport?: { user?: string } }).passport?.user).toBe(observer.user.id);
  });

  it('answers 401 for wrong credentials without saying which part was wrong', async () => {
    const wrongPw = await browser(s.url).login(observer.username, 'not-the-password');
    const noUser = await browser(s.url).login('nobody-here', 'whatever-password');
    expect(wrongPw.status).toBe(401);
    expect(noUser.status).toBe(401);
    expect(wrongPw.body.error.message).toBe(noUser.body.error.message);
  });

  it('rate-limits failed logins per account with a clear 429 and Retry-After', async () => {
    const victim = await s.makeUser('observer');
    for (let i = 0; i < 3; i++)
      expect((await browser(s.url).login(victim.username, 'wrong-password')).status).toBe(401);
    const blocked = await browser(s.url).login(victim.username, victim.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.body.error.message).toMatch(/too many/);
  });

  it('audits logins and failed logins', async () => {
    const u = await s.makeUser('commission');
    await browser(s.url).login(u.username, 'bad-password');
    expect((await browser(s.url).signIn(u)).status).toBe(200);
    const rows = await s.rt.db.auditEvent.findMany({
      where: { actorName: u.username, action: { in: ['login', 'login_failed'] } },
      orderBy: { seq: 'asc' },
    });
    expect(rows.map((r) => r.action)).toEqual(['login_failed', 'login']);
    expect(rows[0]!.after).toMatchObject({ via: 'web' });
  });

  it('audits a wrong password on a token request too', async () => {
    const u = await s.makeUser('observer');
    expect(
      (await bearer(s.url).post('/api/auth/token', { username: u.username, password: 'bad-password' })).status,
    ).toBe(401);
    const rows = await s.rt.db.auditEvent.findMany({ where: { actorName: u.username, action: 'login_failed' } });
    expect(rows.map((r) => r.after)).toEqual([expect.objectContaining({ via: 'token' })]);
  });
});

describe('personal API tokens', () => {
  it('POST /api/auth/token gives a bearer token that authenticates, and can be revoked', async () => {
    const res = await bearer(s.url).post('/api/auth/token', {
      username: observer.username,
      password: observer.password,
      name: 'field script',
    });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^cft_/);
    const client = bearer(s.url, res.body.token);
    expect((await client.get('/api/auth/me')).body.user.id).toBe(observer.user.id);
    // Bearer writes need no CSRF token.
    expect((await client.post('/api/reports', makeReport())).status).toBe(201);
    const stored = await s.rt.db.apiToken.findUnique({ where: { id: res.body.id } });
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.tokenHash).not.toContain(res.body.token);
    const list = await client.get('/api/auth/tokens');
    expect(JSON.stringify(list.body)).not.toContain(res.body.token);
    expect((await client.delete(`/api/auth/tokens/${res.body.id}`)).status).toBe(204);
    expect((await client.get('/api/auth/me')).status).toBe(401);
  });

  it('refuses an unknown or malformed token', async () => {
    expect((await bearer(s.url, 'cft_nope').get('/api/reports')).status).toBe(401);
    expect((await bearer(s.url, 'garbage').get('/api/reports')).status).toBe(401);
  });

  it('a disabled user loses access through tokens and sessions', async () => {
    const u = await s.makeUser('observer');
    const b = browser(s.url);
    await b.login(u.username, u.password);
    const patched = await bearer(s.url, admin.token).patch(`/api/users/${u.user.id}`, { disabled: true });
    expect(patched.status).toBe(200);
    expect((await bearer(s.url, u.token).get('/api/reports')).status).toBe(401);
    expect((await b.get('/api/auth/me')).status).toBe(401);
  });
});

describe('roles', () => {
  it('only observers file reports; only admins manage users', async () => {
    const commission = await s.makeUser('commission');
    expect((await bearer(s.url, commission.token).post('/api/reports', makeReport())).status).toBe(403);
    expect((await bearer(s.url, admin.token).post('/api/reports', makeReport())).status).toBe(403);
    expect((await bearer(s.url).post('/api/reports', makeReport())).status).toBe(401);
    expect((await bearer(s.url, observer.token).get('/api/users')).status).toBe(403);
    expect((await bearer(s.url, commission.token).get('/api/users')).status).toBe(403);
    expect((await bearer(s.url, admin.token).get('/api/users')).status).toBe(200);
  });

  it('admins create users, audited; a taken username is a 409, a weak password a 422', async () => {
    const created = await bearer(s.url, admin.token).post('/api/users', {
      username: 'new.observer',
      password: 'long-enough-pw',
      role: 'observer',
    });
    expect(created.status).toBe(201);
    expect(
      (
        await bearer(s.url, admin.token).post('/api/users', {
          username: 'new.observer',
          password: 'long-enough-pw',
          role: 'observer',
        })
      ).status,
    ).toBe(409);
    const weak = await bearer(s.url, admin.token).post('/api/users', {
      username: 'weak',
      password: 'short',
      role: 'observer',
    });
    expect(weak.status).toBe(422);
    expect(weak.body.error.issues[0].field).toBe('password');
    const audit = await s.rt.db.auditEvent.findFirst({
      where: { action: 'user_created', entityId: created.body.user.id },
    });
    expect(audit?.actorId).toBe(admin.user.id);
  });
});

describe('service endpoints', () => {
  it('serves the OpenAPI document generated from the schemas, and browsable docs', async () => {
    const doc = await bearer(s.url).get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths['/api/reports'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ReportFiling',
    );
    expect(doc.body.components.schemas.ReportFiling.required).toEqual(
      expect.arrayContaining(['clientId', 'observedAt', 'narrative']),
    );
    expect(doc.body.components.schemas.ReportFiling.properties.uploadIds.type).toBe('array');
    const docs = await bearer(s.url).get('/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
  });

  it('healthz and readyz answer', async () => {
    expect((await bearer(s.url).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await bearer(s.url).get('/readyz')).body).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', redis: 'ok' },
    });
  });

  it('unknown API routes are JSON 404s', async () => {
    const res = await bearer(s.url, observer.token).get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});
