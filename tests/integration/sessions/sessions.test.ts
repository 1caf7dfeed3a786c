// A person's browser sessions: listed (created, last seen, address, browser), ended one at a time, all others,
// or all ("sign out everywhere"). Sessions live in PostgreSQL; an ended one is refused on its next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ relay: false });
});
afterAll(async () => {
  await s.close();
});

async function signedIn(u: TestUser, ua: string, ip: string) {
  const b = browser(s.url, { headers: { 'user-agent': ua, 'x-forwarded-for': ip } });
  expect((await b.login(u.username, u.password)).status).toBe(200);
  return b;
}

interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string;
  secondFactorPending: boolean;
}
const list = async (b: ReturnType<typeof browser>) => (await b.get('/api/auth/sessions')).body.items as SessionView[];
const del = (b: ReturnType<typeof browser>, path: string) => b.delete(path);

describe('session list', () => {
  it('shows every browser session of the account with when, where from and which browser; the current one marked', async () => {
    const u = await s.makeUser('observer');
    const laptop = await signedIn(u, CHROME_LINUX, '203.0.113.10');
    await signedIn(u, FIREFOX_ANDROID, '203.0.113.11');
    const other = await s.makeUser('observer');
    await signedIn(other, CHROME_LINUX, '203.0.113.12');

    const items = await list(laptop);
    expect(items).toHaveLength(2);
    const mine = items.find((i) => i.current)!;
    expect(mine).toMatchObject({ ip: '203.0.113.10', userAgent: 'Chrome 131 on Linux', secondFactorPending: false });
    expect(items.find((i) => !i.current)).toMatchObject({ ip: '203.0.113.11', userAgent: 'Firefox 133 on Android' });
    for (const i of items) {
      expect(Date.parse(i.createdAt)).not.toBeNaN();
      expect(Date.parse(i.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(i.createdAt));
    }
    // The list never carries the session ids themselves (they are what the cookie holds).
    const sids = (await s.rt.db.session.findMany({ where: { userId: u.user.id }, select: { sid: true } })).map(
      (r) => r.sid,
    );
    expect(sids).toHaveLength(2);
    for (const sid of sids) expect(JSON.stringify(items)).not.toContain(sid);
  });
});

describe('ending sessions', () => {
  it('ends one session: its browser is signed out at once, the others stay', async () => {
    const u = await s.makeUser('observer');
    const a = await signedIn(u, CHROME_LINUX, '203.0.113.20');
    const b = await signedIn(u, FIREFOX_ANDROID, '203.0.113.21');
    const target = (await list(a)).find((i) => !i.current)!;
    expect((await del(a, `/api/auth/sessions/${target.id}`)).status).toBe(204);
    expect((await b.get('/api/auth/me')).status).toBe(401);
    expect((await a.get('/api/auth/me')).status).toBe(200);
    expect((await list(a)).map((i) => i.id)).not.toContain(target.id);
  });

  it("someone else's session cannot be ended (404)", async () => {
    const u = await s.makeUser('observer');
    const v = await s.makeUser('observer');
    const a = await signedIn(u, CHROME_LINUX, '203.0.113.30');
    const victim = await signedIn(v, CHROME_LINUX, '203.0.113.31');
    const theirs = (await list(victim))[0]!;
    expect((await del(a, `/api/auth/sessions/${theirs.id}`)).status).toBe(404);
    expect((await victim.get('/api/auth/me')).status).toBe(200);
  });

  it('signs out all other sessions, keeping this one', async () => {
    const u = await s.makeUser('observer');
    const here = await signedIn(u, CHROME_LINUX, '203.0.113.40');
    const others = [
      await signedIn(u, FIREFOX_ANDROID, '203.0.113.41'),
      await signedIn(u, CHROME_LINUX, '203.0.113.42'),
    ];
    const res = await del(here, '/api/auth/sessions?scope=others');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 2 });
    for (const o of others) expect((await o.get('/api/auth/me')).status).toBe(401);
    expect((await here.get('/api/auth/me')).status).toBe(200);
    expect((await list(here)).map((i) => i.current)).toEqual([true]);
  });

  it('signs out everywhere, this browser included; audited', async () => {
    const u = await s.makeUser('observer');
    const here = await signedIn(u, CHROME_LINUX, '203.0.113.50');
    const there = await signedIn(u, FIREFOX_ANDROID, '203.0.113.51');
    const res = await del(here, '/api/auth/sessions?scope=all');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 2 });
    expect((await here.get('/api/auth/me')).status).toBe(401);
    expect((await there.get('/api/auth/me')).status).toBe(401);
    expect(await s.rt.db.session.count({ where: { userId: u.user.id } })).toBe(0);
    const audit = await s.rt.db.auditEvent.findFirst({ where: { action: 'sessions_ended', actorId: u.user.id } });
    expect(audit?.after).toMatchObject({ scope: 'all', ended: 2 });
  });

  it('a bearer client can sign its person out everywhere too', async () => {
    const u = await s.makeUser('observer');
    const b = await signedIn(u, CHROME_LINUX, '203.0.113.60');
    const res = await bearer(s.url, u.token).delete('/api/auth/sessions?scope=all');
    expect(res.status).toBe(200);
    expect((await b.get('/api/auth/me')).status).toBe(401);
  });

  it('a session whose row was deleted while a request of it was in flight does not come back', async () => {
    // express-session saves a changed session at the end of a request: a save racing the deletion writes the
    // row again, but without its owner, and such a row signs nobody in.
    const u = await s.makeUser('observer');
    const b = await signedIn(u, CHROME_LINUX, '203.0.113.70');
    const row = await s.rt.db.session.findFirstOrThrow({ where: { userId: u.user.id } });
    await s.rt.db.session.delete({ where: { sid: row.sid } });
    await s.rt.db.session.create({ data: { sid: row.sid, sess: row.sess as object, expire: row.expire } });
    expect((await b.get('/api/auth/me')).status).toBe(401);
  });
});
