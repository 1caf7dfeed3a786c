import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ relay: false });
});
afterAll(async () => {
  await s.close();
});

const cli = (...args: string[]) =>
  spawnSync('npm', ['run', '--silent', 'user:create', '--', ...args], {
    env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run user:create', () => {
  it('creates a user who can get a token and use the API', async () => {
    const r = cli('--username', 'field.observer', '--password', 'a-long-password', '--role', 'observer');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/created observer field\.observer/);
    const token = await bearer(s.url).post('/api/auth/token', {
      username: 'field.observer',
      password: 'a-long-password',
    });
    expect(token.status).toBe(200);
    const me = await bearer(s.url, token.body.token).get('/api/auth/me');
    expect(me.body.user).toMatchObject({ username: 'field.observer', role: 'observer' });
    const stored = await s.rt.db.user.findUnique({ where: { username: 'field.observer' } });
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await s.rt.db.auditEvent.count({ where: { action: 'user_created', entityId: stored!.id } })).toBe(1);
  });

  it('refuses a bad role or a taken name with a message and a non-zero exit', () => {
    const bad = cli('--username', 'x.y', '--password', 'a-long-password', '--role', 'general');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--role/);
    cli('--username', 'twice', '--password', 'a-long-password', '--role', 'commission');
    const again = cli('--username', 'twice', '--password', 'a-long-password', '--role', 'commission');
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/taken/);
  });
});

const reset = (...args: string[]) =>
  spawnSync('npm', ['run', '--silent', 'user:password', '--', ...args], {
    env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL, REDIS_URL: s.config.REDIS_URL },
    encoding: 'utf8',
    timeout: 60_000,
  });
const token = (username: string, password: string) => bearer(s.url).post('/api/auth/token', { username, password });

describe('npm run user:password (demo logins lost, an admin locked out)', () => {
  it('gives the account a new password, made or chosen, that works where the old one no longer does; audited', async () => {
    const who = await s.makeUser('observer');
    const made = reset('--username', who.username);
    expect(made.status, made.stderr).toBe(0);
    const password = /new password for \S+: (\S+)/.exec(made.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await token(who.username, who.password)).status).toBe(401);
    expect((await token(who.username, password!)).status).toBe(200);

    const chosen = reset('--username', who.username, '--password', 'chosen-on-the-server');
    expect(chosen.status, chosen.stderr).toBe(0);
    expect((await token(who.username, 'chosen-on-the-server')).status).toBe(200);
    const rows = await s.rt.db.auditEvent.findMany({ where: { action: 'password_reset', entityId: who.user.id } });
    expect(rows.map((r) => [r.actorName, (r.after as { chosenBy: string }).chosenBy])).toEqual([
      ['cli', 'server'],
      ['cli', 'admin'],
    ]);
    expect(JSON.stringify(rows.map((r) => [r.before, r.after]))).not.toContain('chosen-on-the-server');
  });

  it('refuses an unknown account or a short password with a message and a non-zero exit, changing nothing', async () => {
    const unknown = reset('--username', 'nobody-here');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/nobody-here/);
    const who = await s.makeUser('observer');
    const short = reset('--username', who.username, '--password', 'short');
    expect(short.status).not.toBe(0);
    expect(short.stderr).toMatch(/--password: at least 8 characters/);
    expect((await token(who.username, who.password)).status).toBe(200);
  });
});

describe('POST /api/users/:id/password', () => {
  it("is an admin's: a made password given back once, the account's sessions ended, field errors named", async () => {
    const admin = await s.makeUser('admin');
    const member = await s.makeUser('commission');
    const who = await s.makeUser('observer');
    const asMember = await bearer(s.url, member.token).post(`/api/users/${who.user.id}/password`, {});
    expect(asMember.status).toBe(403);
    const short = await bearer(s.url, admin.token).post(`/api/users/${who.user.id}/password`, { password: 'x' });
    expect(short.status).toBe(422);
    expect(short.body.error.issues).toEqual([expect.objectContaining({ field: 'password' })]);
    const missing = await bearer(s.url, admin.token).post(
      '/api/users/00000000-0000-4000-8000-000000000000/password',
      {},
    );
    expect(missing.status).toBe(404);
    const done = await bearer(s.url, admin.token).post(`/api/users/${who.user.id}/password`, {});
    expect(done.status).toBe(200);
    expect(done.headers.get('cache-control')).toBe('no-store');
    expect(done.body).toMatchObject({ user: { id: who.user.id, username: who.username } });
    expect((await token(who.username, done.body.password)).status).toBe(200);
    expect((await token(who.username, who.password)).status).toBe(401);
  });
});
