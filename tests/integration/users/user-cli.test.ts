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
