// Two-factor sign-in for commission and admin accounts, against the real server: the password opens a session that
// can do nothing but give the second factor; a TOTP code (once) or a recovery code (once) completes it under a new
// session id; accounts not yet enrolled set up an authenticator first. Tokens need the code too, OpenRosa Basic is
// for observers, an admin can reset a second factor, and every step is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { Authenticator } from '../../helpers/totp.ts';
import { matchTotp, stepAt, totpCode } from '../../../src/second-factor/totp.ts';

const LIMIT = 4;
let s: TestServer;
let admin: TestUser;
let address = 0;
const fromNewAddress = () => ({ 'x-forwarded-for': `192.0.2.${++address}` });

beforeAll(async () => {
  s = await startTestServer({ relay: false, env: { LOGIN_MAX_ATTEMPTS: String(LIMIT) } });
  admin = await s.makeUser('admin');
});
afterAll(async () => {
  await s.close();
});

const sid = (b: ReturnType<typeof browser>) => b.jar.get('cf.sid');
const audits = (userId: string, action: string) =>
  s.rt.db.auditEvent.findMany({ where: { entityId: userId, action }, orderBy: { seq: 'asc' } });
const post = (b: ReturnType<typeof browser>, path: string, json: unknown = {}) => b.post(path, json);

async function passwordStep(u: TestUser, headers = fromNewAddress()) {
  const b = browser(s.url, { headers });
  const r = await b.login(u.username, u.password);
  expect(r.status).toBe(200);
  return { b, body: r.body as { secondFactor?: string; user?: unknown } };
}

describe('sign-in with a second factor', () => {
  it('the password alone gives a session that can do nothing but the second step', async () => {
    const member = await s.makeUser('commission');
    const { b, body } = await passwordStep(member);
    expect(body).toEqual({ secondFactor: 'verify' });
    const me = await b.get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.error).toMatchObject({ code: 'second_factor_required', stage: 'verify' });
    expect((await b.get('/api/auth/second-factor')).body).toEqual({ stage: 'verify', username: member.username });
    for (const path of ['/api/incidents', '/api/reports', '/api/auth/sessions', '/api/auth/tokens', '/api/digests']) {
      expect((await b.get(path)).status, path).toBe(401);
    }
    expect((await b.post('/api/incidents/bulk', { ids: [], action: 'assign', assigneeId: null })).status).toBe(401);
    expect((await b.post('/api/digests', { from: '2020-11-16', to: '2020-11-22' })).status).toBe(401);
  });

  it('a TOTP code completes it under a new session id, audited as the login', async () => {
    const member = await s.makeUser('commission');
    const { b } = await passwordStep(member);
    const pendingSid = sid(b);
    const r = await post(b, '/api/auth/second-factor/verify', { code: await member.authenticator!.code() });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ id: member.user.id, role: 'commission' });
    expect(sid(b)).not.toBe(pendingSid);
    expect((await b.get('/api/incidents')).status).toBe(200);
    expect((await b.get('/api/auth/me')).body.secondFactor).toMatchObject({ recoveryCodesLeft: 10 });
    expect((await audits(member.user.id, 'login')).at(-1)?.after).toMatchObject({ secondFactor: true });
  });

  it('admin accounts need it too', async () => {
    const other = await s.makeUser('admin');
    const { b, body } = await passwordStep(other);
    expect(body).toEqual({ secondFactor: 'verify' });
    expect((await b.get('/api/users')).status).toBe(401);
    expect((await post(b, '/api/auth/second-factor/verify', { code: await other.authenticator!.code() })).status).toBe(
      200,
    );
    expect((await b.get('/api/users')).status).toBe(200);
  });

  it('observers sign in with the password alone, as before', async () => {
    const observer = await s.makeUser('observer');
    const { body } = await passwordStep(observer);
    expect(body).toMatchObject({ user: { id: observer.user.id } });
  });

  it('a code is accepted once: the same code again, even on another session, is refused and audited', async () => {
    const member = await s.makeUser('commission');
    const first = await passwordStep(member);
    const code = await member.authenticator!.code();
    expect((await post(first.b, '/api/auth/second-factor/verify', { code })).status).toBe(200);
    const second = await passwordStep(member);
    const replay = await post(second.b, '/api/auth/second-factor/verify', { code });
    expect(replay.status).toBe(401);
    expect(replay.body.error.message).toMatch(/already used/);
    expect((await second.b.get('/api/incidents')).status).toBe(401);
    expect((await audits(member.user.id, 'second_factor_failed')).map((a) => a.after)).toContainEqual(
      expect.objectContaining({ reason: 'code already used', via: 'web' }),
    );
  });

  it('of two sign-ins racing with one code, exactly one gets in', async () => {
    const member = await s.makeUser('commission');
    const a = await passwordStep(member);
    const b = await passwordStep(member);
    const code = await member.authenticator!.code();
    const statuses = await Promise.all(
      [a.b, b.b].map((x) => post(x, '/api/auth/second-factor/verify', { code }).then((r) => r.status)),
    );
    expect(statuses.sort()).toEqual([200, 401]);
  });

  it('a code two steps away is refused (the window is one step either side)', async () => {
    const member = await s.makeUser('commission');
    const { b } = await passwordStep(member);
    const now = s.rt.clock.now().getTime();
    const stale = totpCode(member.authenticator!.secret, stepAt(now) - 3);
    expect(matchTotp(member.authenticator!.secret, stale, now)).toBeNull();
    expect((await post(b, '/api/auth/second-factor/verify', { code: stale })).status).toBe(401);
  });

  it('wrong codes are limited like passwords: at most the limit are checked, then 429 with Retry-After', async () => {
    const member = await s.makeUser('commission');
    const { b } = await passwordStep(member);
    const wrong = (i: number) => String((Number(member.authenticator!.codeAt(0)) + 1 + i) % 1_000_000).padStart(6, '0');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(b, '/api/auth/second-factor/verify', { code: wrong(i) })),
    );
    expect(statuses.filter((r) => r.status === 401).length).toBeLessThanOrEqual(LIMIT);
    const limited = statuses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(20 - LIMIT);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right code waits now.
    expect((await post(b, '/api/auth/second-factor/verify', { code: await member.authenticator!.code() })).status).toBe(
      429,
    );
    expect((await audits(member.user.id, 'second_factor_failed')).length).toBeLessThanOrEqual(LIMIT);
  });

  it('a recovery code works once, in any spelling, audited with the codes left', async () => {
    const member = await s.makeUser('commission');
    const [code] = member.recoveryCodes!;
    const first = await passwordStep(member);
    expect(
      (await post(first.b, '/api/auth/second-factor/verify', { code: code!.toUpperCase().replace(/-/g, ' ') })).status,
    ).toBe(200);
    const second = await passwordStep(member);
    expect((await post(second.b, '/api/auth/second-factor/verify', { code })).status).toBe(401);
    const used = await audits(member.user.id, 'second_factor_recovery_used');
    expect(used.map((a) => a.after)).toEqual([expect.objectContaining({ recoveryCodesLeft: 9, via: 'web' })]);
    expect(await s.rt.db.recoveryCode.count({ where: { userId: member.user.id, usedAt: { not: null } } })).toBe(1);
  });

  it('logging out from the waiting step ends it', async () => {
    const member = await s.makeUser('commission');
    const { b } = await passwordStep(member);
    expect((await b.post('/api/auth/logout', {})).status).toBe(204);
    expect((await post(b, '/api/auth/second-factor/verify', { code: await member.authenticator!.code() })).status).toBe(
      401,
    );
  });
});

describe('enrollment', () => {
  it('leads a new commission member through setting up an authenticator before anything else', async () => {
    const member = await s.makeUser('commission', undefined, { enrolled: false });
    const { b, body } = await passwordStep(member);
    expect(body).toEqual({ secondFactor: 'enroll' });
    expect((await b.get('/api/auth/me')).body.error).toMatchObject({ code: 'second_factor_required', stage: 'enroll' });
    expect((await b.get('/api/incidents')).status).toBe(401);
    expect((await post(b, '/api/auth/second-factor/verify', { code: '123456' })).status).toBe(409);

    const offer = await post(b, '/api/auth/second-factor/enrollment');
    expect(offer.status).toBe(200);
    expect(offer.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(offer.body.otpauthUri).toContain(`secret=${offer.body.secret}`);
    expect(offer.body.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const phone = new Authenticator(offer.body.secret, s.rt.clock);

    const wrong = await post(b, '/api/auth/second-factor/enrollment/confirm', { code: phone.codeAt(3) });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.issues[0].field).toBe('code');
    expect(await s.rt.db.secondFactor.count({ where: { userId: member.user.id } })).toBe(0);

    const pendingSid = sid(b);
    const done = await post(b, '/api/auth/second-factor/enrollment/confirm', { code: await phone.code() });
    expect(done.status).toBe(200);
    expect(done.body.user.id).toBe(member.user.id);
    const codes = done.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(sid(b)).not.toBe(pendingSid);
    expect((await b.get('/api/incidents')).status).toBe(200);

    // Kept encrypted and hashed; never shown again.
    const stored = await s.rt.db.secondFactor.findUniqueOrThrow({ where: { userId: member.user.id } });
    expect(stored.secret).not.toContain(offer.body.secret);
    const hashes = await s.rt.db.recoveryCode.findMany({ where: { userId: member.user.id } });
    expect(hashes).toHaveLength(10);
    for (const h of hashes) expect(codes.map((c) => c.replace(/-/g, ''))).not.toContain(h.codeHash);
    const me = await b.get('/api/auth/me');
    expect(me.text).not.toContain(offer.body.secret);
    b.setCsrf((await b.get('/api/auth/csrf')).body.token); // the token of the new session
    expect((await post(b, '/api/auth/second-factor/enrollment')).status).toBe(401);
    expect((await audits(member.user.id, 'second_factor_enrolled')).map((a) => a.after)).toEqual([
      expect.objectContaining({ recoveryCodes: 10 }),
    ]);
    expect((await audits(member.user.id, 'second_factor_failed')).map((a) => a.after)).toEqual([
      expect.objectContaining({ via: 'enrollment' }),
    ]);

    // The next sign-in asks for a code from the new authenticator.
    const next = await passwordStep(member);
    expect(next.body).toEqual({ secondFactor: 'verify' });
    expect((await post(next.b, '/api/auth/second-factor/verify', { code: await phone.code() })).status).toBe(200);
  });

  it('two confirmations at once enroll one secret, with one audit row', async () => {
    const member = await s.makeUser('admin', undefined, { enrolled: false });
    const { b } = await passwordStep(member);
    const offer = await post(b, '/api/auth/second-factor/enrollment');
    const phone = new Authenticator(offer.body.secret, s.rt.clock);
    const [c1, c2] = [await phone.code(), await phone.code()];
    // Two requests on one session, each with a valid code of the offered secret.
    const statuses = await Promise.all(
      [c1, c2].map((code) => post(b, '/api/auth/second-factor/enrollment/confirm', { code }).then((r) => r.status)),
    );
    expect(statuses).toContain(200);
    expect(await s.rt.db.secondFactor.count({ where: { userId: member.user.id } })).toBe(1);
    expect(await s.rt.db.recoveryCode.count({ where: { userId: member.user.id } })).toBe(10);
    expect(
      await s.rt.db.auditEvent.count({ where: { entityId: member.user.id, action: 'second_factor_enrolled' } }),
    ).toBe(1);
  });
});

describe('personal API tokens for commission and admin', () => {
  const tokenRequest = (u: TestUser, extra: Record<string, unknown> = {}) =>
    bearer(s.url).raw('/api/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fromNewAddress() },
      body: JSON.stringify({ username: u.username, password: u.password, ...extra }),
    });

  it('need the second factor: without a code 401 second_factor_required, with one a token', async () => {
    const member = await s.makeUser('commission');
    const none = await tokenRequest(member);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('second_factor_required');
    const code = await member.authenticator!.code();
    const ok = await tokenRequest(member, { code, name: 'laptop script' });
    expect(ok.status).toBe(200);
    expect((await bearer(s.url, ok.body.token).get('/api/incidents')).status).toBe(200);
    expect((await tokenRequest(member, { code })).status).toBe(401); // replayed
    expect((await audits(member.user.id, 'second_factor_failed')).map((a) => a.after)).toContainEqual(
      expect.objectContaining({ via: 'token' }),
    );
  });

  it('are refused to an account that has no second factor yet', async () => {
    const member = await s.makeUser('commission', undefined, { enrolled: false });
    const r = await tokenRequest(member, { code: '123456' });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/second factor/);
  });
});

describe('OpenRosa Basic', () => {
  it('is for observers: commission and admin get a 403 that says where to sign in', async () => {
    const member = await s.makeUser('commission');
    const basic = (u: TestUser) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;
    for (const u of [member, admin]) {
      const r = await fetch(`${s.url}/formList`, { headers: { authorization: basic(u) } });
      expect(r.status).toBe(403);
      expect(await r.text()).toMatch(/Basic sign-in is for observers/);
    }
    const observer = await s.makeUser('observer');
    expect((await fetch(`${s.url}/formList`, { headers: { authorization: basic(observer) } })).status).toBe(200);
  });

  it('an observer promoted to commission loses Basic at once', async () => {
    const u = await s.makeUser('observer');
    const auth = { authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` };
    expect((await fetch(`${s.url}/formList`, { headers: auth })).status).toBe(200);
    expect((await bearer(s.url, admin.token).patch(`/api/users/${u.user.id}`, { role: 'commission' })).status).toBe(
      200,
    );
    expect((await fetch(`${s.url}/formList`, { headers: auth })).status).toBe(403);
  });
});

describe('an admin resets a second factor', () => {
  it("removes it with the recovery codes, ends the member's sessions, audited; the next sign-in enrolls again", async () => {
    const member = await s.makeUser('commission');
    const signedIn = browser(s.url, { headers: fromNewAddress() });
    expect((await signedIn.signIn(member)).status).toBe(200);
    const adminBrowser = browser(s.url, { headers: fromNewAddress() });
    expect((await adminBrowser.signIn(admin)).status).toBe(200);

    expect((await bearer(s.url, member.token).delete(`/api/users/${admin.user.id}/second-factor`)).status).toBe(403);
    const r = await adminBrowser.delete(`/api/users/${member.user.id}/second-factor`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ secondFactorRemoved: true, recoveryCodesRemoved: 10, sessionsEnded: 1 });
    expect((await signedIn.get('/api/auth/me')).status).toBe(401);
    expect(await s.rt.db.recoveryCode.count({ where: { userId: member.user.id } })).toBe(0);
    const [row] = await audits(member.user.id, 'second_factor_reset');
    expect(row).toMatchObject({ actorId: admin.user.id, after: { secondFactorRemoved: true, sessionsEnded: 1 } });
    const next = await passwordStep(member);
    expect(next.body).toEqual({ secondFactor: 'enroll' });
  });

  it('an unknown user is a 404', async () => {
    expect(
      (await bearer(s.url, admin.token).delete('/api/users/8f7d3c2a-1b4e-4f6a-9c8d-7e6f5a4b3c2d/second-factor')).status,
    ).toBe(404);
  });
});
