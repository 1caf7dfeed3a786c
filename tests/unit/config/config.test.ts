import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';

describe('configuration', () => {
  it('has defaults that work on this machine', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/ceasefire');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.ROLE).toBe('all');
    expect(c.PORT).toBe(3000);
    expect(c.cookieSecure).toBe(false);
  });

  it('reads and coerces values', () => {
    const c = loadConfig({
      PORT: '8080',
      ROLE: 'worker',
      NODE_ENV: 'production',
      MAX_ATTACHMENTS: '3',
      PUBLIC_URL: 'https://m.example.org/',
      CUSTODY_SIGNING_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(c).toMatchObject({
      PORT: 8080,
      ROLE: 'worker',
      MAX_ATTACHMENTS: 3,
      cookieSecure: true,
      PUBLIC_URL: 'https://m.example.org',
    });
  });

  it('needs PUBLIC_URL in production: absolute links are never built from the Host header there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
  });

  it('needs CUSTODY_SIGNING_KEY in production: a derived development key would sign evidence packages', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://m.example.org' })).toThrow(
      /CUSTODY_SIGNING_KEY: required in production/,
    );
  });

  it.each([
    ['PORT', 'eighty'],
    ['ROLE', 'both'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['SESSION_SECRET', 'short'],
    ['COOKIE_SECURE', 'maybe'],
    ['CUSTODY_SIGNING_KEY', 'not a key!'],
    ['CUSTODY_SIGNING_KEY', Buffer.alloc(20).toString('base64')],
    ['ALLOWED_ORIGINS', 'https://ok.example, ftp://files.example'],
    ['ALLOWED_ORIGINS', 'not an origin'],
  ])('refuses a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('normalises allowed origins as browsers send them', () => {
    expect(
      loadConfig({ ALLOWED_ORIGINS: ' https://Monitor.Example:443/review/ ,http://10.0.0.5:8080' }).ALLOWED_ORIGINS,
    ).toEqual(['https://monitor.example', 'http://10.0.0.5:8080']);
    expect(loadConfig({}).ALLOWED_ORIGINS).toEqual([]);
  });

  it('emails notices only with an smtp:// or smtps:// SMTP_URL, and gives the sender and retries defaults', () => {
    expect(loadConfig({}).SMTP_URL).toBeUndefined();
    expect(loadConfig({}).NOTIFY_FROM).toMatch(/<.+@.+>/);
    expect(loadConfig({}).NOTIFY_EMAIL_ATTEMPTS).toBeGreaterThan(1);
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.org:465' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example.org:465',
    );
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.org' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SMTP_URL: 'mail.example.org' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ NOTIFY_EMAIL_ATTEMPTS: '0' })).toThrow(/NOTIFY_EMAIL_ATTEMPTS/);
  });

  it('a bad value stops the process with a message naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
