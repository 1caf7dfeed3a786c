// An admin disables an account: it stops at once everywhere, in every API process (each keeps its own caches of
// verified tokens and Basic pairs), on every door (bearer token, OpenRosa Basic, token in the URL, browser session).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/runtime.ts';
import { startApi, type RunningApi } from '../../../src/api.ts';
import { createLogger } from '../../../src/logger.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';

let s: TestServer;
let admin: TestUser;
// A second API process on the same database and Redis, with caches of its own.
let rt2: Runtime;
let api2: RunningApi;

const basic = (u: TestUser) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  admin = await s.makeUser('admin');
  rt2 = createRuntime(s.config, { log: createLogger('silent') });
  api2 = await startApi(rt2, 0, '127.0.0.1');
});
afterAll(async () => {
  await api2?.close();
  await rt2?.close();
  await s.close();
});

/** What each door answers for the observer, on each API process. */
async function doors(u: TestUser, session: ReturnType<typeof browser>) {
  const out: Record<string, number> = {};
  for (const [name, url] of [
    ['api1', s.url],
    ['api2', api2.url],
  ] as const) {
    out[`${name} bearer`] = (await bearer(url, u.token).get('/api/reports')).status;
    out[`${name} basic`] = (await fetch(`${url}/formList`, { headers: { authorization: basic(u) } })).status;
    out[`${name} key`] = (await fetch(`${url}/key/${u.token}/formList`)).status;
  }
  out.session = (await session.get('/api/auth/me')).status;
  return out;
}

describe('disabling an account', () => {
  it('refuses its token, its Basic pair and its session at once, on every API process; its sessions are deleted', async () => {
    const u = await s.makeUser('observer');
    const session = browser(s.url);
    expect((await session.login(u.username, u.password)).status).toBe(200);
    // Every cache is warm: each door has just accepted the account on both processes.
    expect(Object.values(await doors(u, session)).every((st) => st === 200)).toBe(true);

    const res = await bearer(s.url, admin.token).patch(`/api/users/${u.user.id}`, { disabled: true });
    expect(res.status).toBe(200);

    const after = await doors(u, session);
    expect(after).toEqual({
      'api1 bearer': 401,
      'api1 basic': 401,
      'api1 key': 403,
      'api2 bearer': 401,
      'api2 basic': 401,
      'api2 key': 403,
      session: 401,
    });
    expect(await s.rt.db.session.count({ where: { userId: u.user.id } })).toBe(0);
    const audit = await s.rt.db.auditEvent.findFirst({ where: { action: 'user_updated', entityId: u.user.id } });
    expect(audit?.after).toMatchObject({ disabledAt: expect.any(String), sessionsEnded: 1 });
  });

  it('disabled through the second process, refused by the first', async () => {
    const u = await s.makeUser('observer');
    expect((await bearer(s.url, u.token).get('/api/reports')).status).toBe(200);
    expect((await fetch(`${s.url}/formList`, { headers: { authorization: basic(u) } })).status).toBe(200);
    expect((await bearer(api2.url, admin.token).patch(`/api/users/${u.user.id}`, { disabled: true })).status).toBe(200);
    expect((await bearer(s.url, u.token).get('/api/reports')).status).toBe(401);
    expect((await fetch(`${s.url}/formList`, { headers: { authorization: basic(u) } })).status).toBe(401);
  });

  it('enabled again, the token and the pair work again', async () => {
    const u = await s.makeUser('observer');
    await bearer(s.url, admin.token).patch(`/api/users/${u.user.id}`, { disabled: true });
    expect((await bearer(api2.url, u.token).get('/api/reports')).status).toBe(401);
    await bearer(s.url, admin.token).patch(`/api/users/${u.user.id}`, { disabled: false });
    expect((await bearer(api2.url, u.token).get('/api/reports')).status).toBe(200);
    expect((await fetch(`${api2.url}/formList`, { headers: { authorization: basic(u) } })).status).toBe(200);
  });
});

describe('revoking a token', () => {
  it('is refused at once by the other API process too', async () => {
    const u = await s.makeUser('observer');
    const created = await bearer(s.url).post('/api/auth/token', {
      username: u.username,
      password: u.password,
      name: 'phone',
    });
    const token = created.body.token as string;
    expect((await bearer(api2.url, token).get('/api/reports')).status).toBe(200);
    expect((await bearer(s.url, token).delete(`/api/auth/tokens/${created.body.id}`)).status).toBe(204);
    expect((await bearer(api2.url, token).get('/api/reports')).status).toBe(401);
  });
});
