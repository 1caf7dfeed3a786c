// Credentials that are not even well-formed (a user name longer than any account's, control characters, a Basic
// header that does not decode): a 400 or 401 that says what is wrong, never a 500, and an audited failed login,
// through every door.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';

let s: TestServer;
let address = 0;
const fromNewAddress = () => ({ 'x-forwarded-for': `198.51.100.${++address}` });
const basicRaw = (decoded: string) => `Basic ${Buffer.from(decoded, 'utf8').toString('base64')}`;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
});
afterAll(async () => {
  await s.close();
});

/** Failed-login audit rows from one address (each test uses its own). */
async function failures(ip: string) {
  const rows = await s.rt.db.auditEvent.findMany({ where: { action: 'login_failed' }, orderBy: { seq: 'asc' } });
  return rows.filter((r) => (r.after as { ip?: string } | null)?.ip === ip);
}

async function openRosa(authorization: string) {
  const headers = fromNewAddress();
  const res = await fetch(`${s.url}/formList`, { headers: { ...headers, authorization } });
  return { status: res.status, text: await res.text(), ip: headers['x-forwarded-for'] };
}

describe('OpenRosa Basic', () => {
  it('a user name of 80 characters is a 400 naming the field, audited (it was a 500, unaudited)', async () => {
    const long = 'u'.repeat(80);
    const res = await openRosa(basicRaw(`${long}:some-password`));
    expect(res.status).toBe(400);
    expect(res.text).toContain('username');
    const rows = await failures(res.ip);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.actorName).toBe(long.slice(0, 64));
    expect(rows[0]!.after).toMatchObject({ via: 'openrosa', reason: expect.stringContaining('username') });
  });

  it.each([
    ['no colon', basicRaw('just-a-name')],
    ['an empty user name', basicRaw(':password')],
    ['not base64', 'Basic ***'],
    ['a NUL in the user name', basicRaw('obs\u0000erver:password')],
    ['a control character in the user name', basicRaw('obs\u0007erver:password')],
    ['a password over 512 characters', basicRaw(`observer:${'p'.repeat(600)}`)],
  ])('%s is a 400/401 with a message, audited', async (_what, header) => {
    const res = await openRosa(header);
    expect([400, 401]).toContain(res.status);
    expect(res.text).toMatch(/<message nature="error">[^<]{8,}<\/message>/);
    const rows = await failures(res.ip);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.after).toMatchObject({ via: 'openrosa', reason: expect.any(String) });
  });
});

describe('sign-in form and token request', () => {
  it.each([
    ['a user name of 80 characters', { username: 'u'.repeat(80), password: 'some-password' }],
    ['a user name that is not text', { username: 42, password: 'some-password' }],
    ['no password', { username: 'observer' }],
    ['a control character in the user name', { username: 'obs\u0001erver', password: 'some-password' }],
  ])('%s is a 400 naming the field, audited', async (_what, body) => {
    for (const [path, via] of [
      ['/api/auth/login', 'web'],
      ['/api/auth/token', 'token'],
    ] as const) {
      const headers = fromNewAddress();
      const res = await bearer(s.url).raw(path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      expect(res.body.error.issues.length).toBeGreaterThan(0);
      const rows = await failures(headers['x-forwarded-for']);
      expect(rows, `${path} audited`).toHaveLength(1);
      expect(rows[0]!.after).toMatchObject({ via, reason: expect.any(String) });
    }
  });

  it('a well-formed pair still signs in', async () => {
    const u = await s.makeUser('observer');
    expect((await browser(s.url, { headers: fromNewAddress() }).login(u.username, u.password)).status).toBe(200);
  });
});
