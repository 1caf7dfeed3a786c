// ODK Collect setup by QR code: the signed-in observer gets a token of its own inside Collect's settings (ODK
// Central's JSON, zlib + base64), and the server URL in them works for the OpenRosa endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSettings } from '../../../src/openrosa/setup.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
});
afterAll(async () => {
  await s?.close();
});

describe('POST /api/auth/odk-setup', () => {
  it("answers Collect's settings with a new key in the server URL, which lists the forms; audited", async () => {
    const observer = await s.makeUser('observer');
    const res = await bearer(s.url, observer.token).post('/api/auth/odk-setup', {});
    expect(res.status).toBe(201);
    expect(res.body.svg).toMatch(/^<svg [^>]*viewBox/);
    const settings = decodeSettings(res.body.payload);
    expect(settings).toEqual({
      general: {
        server_url: expect.stringMatching(/\/key\/[^/]+$/),
        form_update_mode: 'match_exactly',
        autosend: 'wifi_and_cellular',
      },
      project: { name: expect.stringContaining(observer.username), icon: '🕊', color: '#0b3d5c' },
      admin: {},
    });
    expect(settings.general.server_url).toBe(res.body.serverUrl);
    // The key in the URL is a new token, not the one the request came with.
    expect(settings.general.server_url).not.toContain(encodeURIComponent(observer.token));

    const list = await fetch(`${settings.general.server_url}/formList`, { headers: { 'x-openrosa-version': '1.0' } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('<formID>ceasefire_followup</formID>');
    await expect(
      s.rt.db.auditEvent.count({ where: { action: 'token_created', entityId: res.body.tokenId } }),
    ).resolves.toBe(1);

    // Revoked, the key stops working (a key in the URL cannot be retried with other credentials: 403).
    expect((await bearer(s.url, observer.token).delete(`/api/auth/tokens/${res.body.tokenId}`)).status).toBe(204);
    const revoked = await fetch(`${settings.general.server_url}/formList`);
    expect(revoked.status).toBe(403);
    expect(await revoked.text()).toContain('unknown or revoked key');
  });

  it('is for observers only', async () => {
    const commission = await s.makeUser('commission');
    expect((await bearer(s.url, commission.token).post('/api/auth/odk-setup', {})).status).toBe(403);
    expect((await bearer(s.url).post('/api/auth/odk-setup', {})).status).toBe(401);
  });
});
