// An admin makes ODK Collect's setup code for an observer (a new observer without a laptop): a token of the observer
// in Collect's settings, audited as the admin's act for that observer in the token's transaction, good only if first
// used within ODK_SETUP_CLAIM_MINUTES. Never for a disabled account or one that is not an observer; nobody but an
// admin may make one. The clock is the test's: the claim limit is crossed by moving it, not by waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSettings } from '../../../src/openrosa/setup.ts';
import type { Clock } from '../../../src/clock.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';

let s: TestServer;
let admin: TestUser;
let member: TestUser;
let now = new Date('2020-11-16T08:00:00Z');
const clock: Clock = { now: () => new Date(now) };

beforeAll(async () => {
  s = await startTestServer({ relay: false, clock, env: { ODK_SETUP_CLAIM_MINUTES: '30' } });
  admin = await s.makeUser('admin');
  member = await s.makeUser('commission');
});
afterAll(async () => {
  await s?.close();
});

const formList = (serverUrl: string) => fetch(`${serverUrl}/formList`, { headers: { 'x-openrosa-version': '1.0' } });

describe('POST /api/users/:id/odk-setup', () => {
  it("gives the observer's settings with a key of the observer, audited as the admin's act for them", async () => {
    const observer = await s.makeUser('observer');
    const res = await bearer(s.url, admin.token).post(`/api/users/${observer.user.id}/odk-setup`, {});
    expect(res.status).toBe(201);
    expect(res.body.svg).toMatch(/^<svg [^>]*viewBox/);
    expect(res.body.claimBy).toBe('2020-11-16T08:30:00.000Z');
    const settings = decodeSettings(res.body.payload);
    expect(settings.general.server_url).toBe(res.body.serverUrl);
    expect(settings.project.name).toContain(observer.username);

    // The token is the observer's (listed among theirs), and the audit row names the admin and the observer.
    const token = await s.rt.db.apiToken.findUniqueOrThrow({ where: { id: res.body.tokenId } });
    expect(token.userId).toBe(observer.user.id);
    const rows = await s.rt.db.auditEvent.findMany({ where: { action: 'token_created', entityId: token.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: admin.user.id,
      actorName: admin.username,
      entityType: 'api_token',
      after: { purpose: 'odk_setup', ownerId: observer.user.id, claimBy: '2020-11-16T08:30:00.000Z' },
    });

    // Scanned in time, the phone's first request claims it; from then on it keeps working past the limit.
    now = new Date('2020-11-16T08:20:00Z');
    const first = await formList(res.body.serverUrl);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('<formID>ceasefire_report</formID>');
    expect((await s.rt.db.apiToken.findUniqueOrThrow({ where: { id: token.id } })).claimedAt).toEqual(now);
    now = new Date('2020-11-20T08:00:00Z');
    // An admin's change to any account moves the credential epoch: the key is read again, not taken from a cache.
    expect((await bearer(s.url, admin.token).patch(`/api/users/${member.user.id}`, { displayName: 'M' })).status).toBe(
      200,
    );
    expect((await formList(res.body.serverUrl)).status).toBe(200);
  });

  it('is refused once the code was not scanned in time', async () => {
    now = new Date('2020-11-21T08:00:00Z');
    const observer = await s.makeUser('observer');
    const res = await bearer(s.url, admin.token).post(`/api/users/${observer.user.id}/odk-setup`, {});
    expect(res.status).toBe(201);
    now = new Date('2020-11-21T08:31:00Z');
    const late = await formList(res.body.serverUrl);
    expect(late.status).toBe(403);
    expect((await s.rt.db.apiToken.findUniqueOrThrow({ where: { id: res.body.tokenId } })).claimedAt).toBeNull();
  });

  it('is refused for a disabled account, one that is not an observer, or one that does not exist', async () => {
    const observer = await s.makeUser('observer');
    const admins = bearer(s.url, admin.token);
    expect((await admins.patch(`/api/users/${observer.user.id}`, { disabled: true })).status).toBe(200);
    const disabled = await admins.post(`/api/users/${observer.user.id}/odk-setup`, {});
    expect(disabled.status).toBe(409);
    expect(disabled.body.error.reason).toBe('account_disabled');

    const commission = await admins.post(`/api/users/${member.user.id}/odk-setup`, {});
    expect(commission.status).toBe(409);
    expect(commission.body.error.reason).toBe('not_an_observer');
    expect((await admins.post('/api/users/5d1c4a0e-0000-4000-8000-000000000000/odk-setup', {})).status).toBe(404);

    // Nothing was made for them.
    await expect(
      s.rt.db.apiToken.count({ where: { userId: observer.user.id, name: { startsWith: 'ODK' } } }),
    ).resolves.toBe(0);
    await expect(
      s.rt.db.apiToken.count({ where: { userId: member.user.id, name: { startsWith: 'ODK' } } }),
    ).resolves.toBe(0);
  });

  it('is for admins only: a commission member gets 403, an observer too, even for themselves', async () => {
    const observer = await s.makeUser('observer');
    expect((await bearer(s.url, member.token).post(`/api/users/${observer.user.id}/odk-setup`, {})).status).toBe(403);
    expect((await bearer(s.url, observer.token).post(`/api/users/${observer.user.id}/odk-setup`, {})).status).toBe(403);
    expect((await bearer(s.url).post(`/api/users/${observer.user.id}/odk-setup`, {})).status).toBe(401);
    await expect(
      s.rt.db.apiToken.count({ where: { userId: observer.user.id, name: { startsWith: 'ODK' } } }),
    ).resolves.toBe(0);
  });
});
