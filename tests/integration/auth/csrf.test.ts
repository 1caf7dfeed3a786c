// Cross-site request forgery. A state-changing request on a signed-in browser session needs the session's CSRF
// token whatever the spelling of its path (express routes case-insensitively, so a decision made on path strings
// can be walked around); and signing in (or asking for a token) from another site's page is refused by origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
const EVIL = 'https://evil.example';

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  await s.close();
});

/** Every state-changing operation the API documents, with its path parameters filled in. */
async function stateChangingRoutes(): Promise<Array<{ method: string; path: string }>> {
  const doc = (await bearer(s.url).get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const routes: Array<{ method: string; path: string }> = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const method of Object.keys(ops)) {
      if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
      routes.push({
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, '8f7d3c2a-1b4e-4f6a-9c8d-7e6f5a4b3c2d'),
      });
    }
  }
  return routes;
}

const spellings = (path: string) => [
  path.toUpperCase(),
  path.replace(/^\/api\/(.)/, (_m, c: string) => `/Api/${c.toUpperCase()}`),
  path.replace(/^\/api\//, '/%61pi/'),
  path.replace(/^\/api\/(.)/, (_m, c: string) => `/api/%${c.charCodeAt(0).toString(16)}`),
];

describe('CSRF on session-authenticated writes', () => {
  it('POST /API/reports (upper case) with a session and no token is a 403, and stores nothing (it was a 201)', async () => {
    const b = browser(s.url);
    expect((await b.login(observer.username, observer.password)).status).toBe(200);
    b.setCsrf(undefined);
    const before = await s.rt.db.report.count();
    for (const path of spellings('/api/reports')) {
      const res = await b.post(path, makeReport());
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toMatch(/CSRF/);
    }
    expect(await s.rt.db.report.count()).toBe(before);
  });

  it('every documented write, in any spelling of its path, needs the token on a session', async () => {
    const b = browser(s.url);
    await b.login(observer.username, observer.password);
    b.setCsrf(undefined);
    const routes = await stateChangingRoutes();
    expect(routes.length).toBeGreaterThan(10);
    const refused: string[] = [];
    for (const { method, path } of routes) {
      for (const p of [path, ...spellings(path)]) {
        const res = await fetchAs(b, method, p);
        if (res !== 403) refused.push(`${method} ${p} → ${res}`);
      }
    }
    expect(refused).toEqual([]);
    expect((await b.get('/api/auth/me')).status).toBe(200); // still signed in: nothing above was carried out
  });

  it('a commission session, and one waiting for its second factor, need the token too', async () => {
    const member = await s.makeUser('commission');
    const waiting = browser(s.url);
    expect((await waiting.login(member.username, member.password)).body).toEqual({ secondFactor: 'verify' });
    waiting.setCsrf(undefined);
    const code = await member.authenticator!.code();
    expect((await waiting.post('/API/AUTH/SECOND-FACTOR/VERIFY', { code })).status).toBe(403);
    const signedIn = browser(s.url);
    expect((await signedIn.signIn(member)).status).toBe(200);
    signedIn.setCsrf(undefined);
    expect((await signedIn.post('/Api/Incidents/bulk', { ids: [], action: 'assign', assigneeId: null })).status).toBe(
      403,
    );
    expect((await signedIn.post('/API/DIGESTS', { from: '2020-11-16', to: '2020-11-22' })).status).toBe(403);
    expect(await s.rt.db.digest.count()).toBe(0);
  });

  it('the same writes with the token, or with a bearer token instead of a session, go through', async () => {
    const b = browser(s.url);
    await b.login(observer.username, observer.password);
    expect((await b.post('/API/REPORTS', makeReport())).status).toBe(201);
    expect((await bearer(s.url, observer.token).post('/API/Reports', makeReport())).status).toBe(201);
  });
});

/** The status of an unsafe request on the session, without a CSRF token. */
async function fetchAs(b: ReturnType<typeof browser>, method: string, path: string): Promise<number> {
  const cookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(s.url + path, {
    method,
    headers: { cookie, 'content-type': 'application/json' },
    body: '{}',
  });
  return res.status;
}

describe('signing in from another site (login CSRF)', () => {
  const login = (
    headers: Record<string, string>,
    body = JSON.stringify({ username: observer.username, password: observer.password }),
    type = 'application/json',
  ) => fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });

  it('a cross-origin sign-in is a 403 and starts no session', async () => {
    const res = await login({ origin: EVIL });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('cf.sid='))).toBe(false);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/origin/i);
  });

  it('an auto-submitting form on another site (urlencoded, Origin or only Referer) is a 403', async () => {
    const form = new URLSearchParams({ username: observer.username, password: observer.password }).toString();
    const urlencoded = 'application/x-www-form-urlencoded';
    expect((await login({ origin: EVIL }, form, urlencoded)).status).toBe(403);
    expect((await login({ referer: `${EVIL}/attack.html` }, form, urlencoded)).status).toBe(403);
    expect((await login({ origin: 'null' }, form, urlencoded)).status).toBe(403);
    expect((await login({ 'sec-fetch-site': 'cross-site' }, form, urlencoded)).status).toBe(403);
  });

  it("the app's own pages, and clients that are not browsers (no Origin), still sign in", async () => {
    expect((await login({ origin: s.url })).status).toBe(200);
    expect((await login({ referer: `${s.url}/review/` })).status).toBe(200);
    expect((await login({ 'sec-fetch-site': 'same-origin', origin: s.url })).status).toBe(200);
    expect((await login({})).status).toBe(200);
  });

  it('a token request from another site is a 403; from a script it works', async () => {
    const body = JSON.stringify({ username: observer.username, password: observer.password });
    const post = (headers: Record<string, string>) =>
      fetch(`${s.url}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await post({ origin: EVIL })).status).toBe(403);
    expect((await post({})).status).toBe(200);
  });

  it('origins configured for a proxy (ALLOWED_ORIGINS) are accepted, others still refused', async () => {
    const proxied = await startTestServer({
      relay: false,
      env: { ALLOWED_ORIGINS: 'https://monitor.example, https://ops.example:8443' },
    });
    try {
      const u = await proxied.makeUser('observer');
      const post = (origin: string) =>
        fetch(`${proxied.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin },
          body: JSON.stringify({ username: u.username, password: u.password }),
        });
      expect((await post('https://monitor.example')).status).toBe(200);
      expect((await post('https://ops.example:8443')).status).toBe(200);
      expect((await post('https://monitor.example.evil.example')).status).toBe(403);
      expect((await post('http://monitor.example')).status).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});
