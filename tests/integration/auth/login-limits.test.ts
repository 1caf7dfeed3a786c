// Password guessing in bursts: every door (sign-in form, token request, OpenRosa Basic) takes an attempt from the
// account's and the address's budget before it checks the password, so parallel guesses cannot pass the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';

const LIMIT = 5;
let s: TestServer;
let address = 0;
/** A documentation address of its own per test (the test server trusts X-Forwarded-For from loopback). */
const fromNewAddress = () => ({ 'x-forwarded-for': `203.0.113.${++address}` });
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const count = (statuses: number[], status: number) => statuses.filter((x) => x === status).length;

beforeAll(async () => {
  s = await startTestServer({ relay: false, env: { LOGIN_MAX_ATTEMPTS: String(LIMIT) } });
});
afterAll(async () => {
  await s.close();
});

/** `n` attempts sent at once, every one wrong but the last. */
async function burst(n: number, attempt: (password: string) => Promise<number>, right: string): Promise<number[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => attempt(i === n - 1 ? right : `wrong-password-${i}`)));
}

async function failedAudits(username: string) {
  return s.rt.db.auditEvent.count({ where: { action: 'login_failed', actorName: username } });
}

describe('a burst of parallel guesses for one account', () => {
  it('sign-in form: no more than the limit are checked, the right password last is refused, every refusal is a 429 with Retry-After', async () => {
    const u = await s.makeUser('observer');
    const headers = fromNewAddress();
    const responses: Array<{ status: number; retryAfter: string | null }> = [];
    await burst(
      60,
      async (password) => {
        const r = await browser(s.url, { headers }).login(u.username, password);
        responses.push({ status: r.status, retryAfter: r.headers.get('retry-after') });
        return r.status;
      },
      u.password,
    );
    const statuses = responses.map((r) => r.status);
    expect(count(statuses, 401)).toBeLessThanOrEqual(LIMIT);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(60 - LIMIT - 1);
    for (const r of responses.filter((x) => x.status === 429)) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect(await failedAudits(u.username)).toBeLessThanOrEqual(LIMIT);
    // The account's budget is spent: even the right password waits now.
    expect((await browser(s.url, { headers: fromNewAddress() }).login(u.username, u.password)).status).toBe(429);
  });

  it('token request: the same limit holds', async () => {
    const u = await s.makeUser('observer');
    const headers = fromNewAddress();
    const client = bearer(s.url);
    const statuses = await burst(
      40,
      async (password) =>
        (
          await client.raw('/api/auth/token', {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify({ username: u.username, password }),
          })
        ).status,
      u.password,
    );
    expect(count(statuses, 401)).toBeLessThanOrEqual(LIMIT);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(40 - LIMIT - 1);
    expect(await s.rt.db.apiToken.count({ where: { userId: u.user.id, name: { not: 'test' } } })).toBeLessThanOrEqual(
      1,
    );
  });

  it('OpenRosa Basic: the same limit holds', async () => {
    const u = await s.makeUser('observer');
    const headers = fromNewAddress();
    const statuses = await burst(
      40,
      async (password) =>
        (
          await fetch(`${s.url}/formList`, {
            headers: { ...headers, authorization: basic(u.username, password) },
          })
        ).status,
      u.password,
    );
    expect(count(statuses, 401)).toBeLessThanOrEqual(LIMIT);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(40 - LIMIT - 1);
    expect(await failedAudits(u.username)).toBeLessThanOrEqual(LIMIT);
  });
});

describe('budgets', () => {
  it('only wrong attempts count: signing in more often than the limit is fine', async () => {
    const u = await s.makeUser('observer');
    const headers = fromNewAddress();
    for (let i = 0; i < LIMIT * 2; i++)
      expect((await browser(s.url, { headers }).login(u.username, u.password)).status).toBe(200);
  });

  it('an address guessing across many accounts is stopped by its own budget', async () => {
    const headers = fromNewAddress();
    const statuses: number[] = [];
    // Ten guesses per account stay under no account's budget only because each account gets few; the address's
    // budget (ten times an account's) is what stops the sweep.
    for (let i = 0; i < LIMIT * 10 + 5; i++) {
      statuses.push((await browser(s.url, { headers }).login(`sweep-${i % 20}`, 'guess-password')).status);
    }
    expect(statuses.slice(LIMIT * 10)).toEqual(Array(5).fill(429));
    expect(count(statuses, 401)).toBeLessThanOrEqual(LIMIT * 10);
  });
});
