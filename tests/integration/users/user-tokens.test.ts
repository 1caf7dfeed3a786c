// An admin lists another account's API tokens and revokes one: audited with the owner named, refused at once;
// nobody else may, and ids that name nothing are 404s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';

let s: TestServer;
let admin: TestUser;
let member: TestUser;
let observer: TestUser;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  admin = await s.makeUser('admin');
  member = await s.makeUser('commission');
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  await s?.close();
});

describe("an account's tokens, for admins", () => {
  it('lists them without secrets, revokes one (audited, naming the owner) and the token stops at once', async () => {
    const api = bearer(s.url, admin.token);
    const listed = await api.get(`/api/users/${observer.user.id}/tokens`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const token = listed.body.items[0];
    expect(Object.keys(token).sort()).toEqual([
      'claimBy',
      'claimedAt',
      'createdAt',
      'id',
      'lastUsedAt',
      'name',
      'revokedAt',
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(observer.token);
    expect((await bearer(s.url, observer.token).get('/api/reports')).status).toBe(200);

    const revoked = await api.delete(`/api/users/${observer.user.id}/tokens/${token.id}`);
    expect(revoked.status, revoked.text).toBe(204);
    expect((await bearer(s.url, observer.token).get('/api/reports')).status).toBe(401);
    const after = await api.get(`/api/users/${observer.user.id}/tokens`);
    expect(after.body.items[0].revokedAt).not.toBeNull();
    const rows = await s.rt.db.auditEvent.findMany({ where: { action: 'token_revoked', entityId: token.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: admin.user.id,
      actorName: admin.username,
      after: { ownerId: observer.user.id },
    });

    // Once revoked, or under another account's id, the token names nothing.
    expect((await api.delete(`/api/users/${observer.user.id}/tokens/${token.id}`)).status).toBe(404);
    const memberToken = (await api.get(`/api/users/${member.user.id}/tokens`)).body.items[0].id;
    expect((await api.delete(`/api/users/${observer.user.id}/tokens/${memberToken}`)).status).toBe(404);
    expect((await bearer(s.url, member.token).get('/api/incidents')).status).toBe(200);
  });

  it('is 404 for an unknown or malformed user id, and 403 for anyone but an admin', async () => {
    const api = bearer(s.url, admin.token);
    expect((await api.get('/api/users/00000000-0000-4000-8000-000000000000/tokens')).status).toBe(404);
    expect((await api.get('/api/users/not-an-id/tokens')).status).toBe(404);
    expect((await api.delete(`/api/users/${member.user.id}/tokens/not-an-id`)).status).toBe(404);
    const commission = bearer(s.url, member.token);
    expect((await commission.get(`/api/users/${admin.user.id}/tokens`)).status).toBe(403);
    const adminToken = (await api.get(`/api/users/${admin.user.id}/tokens`)).body.items[0].id;
    expect((await commission.delete(`/api/users/${admin.user.id}/tokens/${adminToken}`)).status).toBe(403);
    expect((await api.get('/api/users')).status).toBe(200);
  });
});
