// Per-account intake quota: a flood from one account is refused with 429, Retry-After and a clear error (JSON on
// the API, OpenRosa XML for Collect), whatever way the account files (token, session, OpenRosa); a retry of a
// report already accepted is still answered as before and costs nothing; other accounts are not affected.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';
import { collectSubmission } from '../../helpers/factories.ts';

let s: TestServer;
let flooder: TestUser;
let other: TestUser;

beforeAll(async () => {
  s = await startTestServer({
    relay: false,
    env: { INTAKE_PER_MINUTE: '5', INTAKE_BURST: '2', INTAKE_PER_HOUR: '100' },
  });
  flooder = await s.makeUser('observer');
  other = await s.makeUser('observer');
});
afterAll(async () => {
  await s?.close();
});

const openRosa = (token: string, instanceId: string, fields: Record<string, string> = {}, deprecatedId?: string) => {
  const form = new FormData();
  form.append(
    'xml_submission_file',
    new Blob([collectSubmission(fields, { instanceId, deprecatedId })], { type: 'text/xml' }),
    'submission.xml',
  );
  return fetch(`${s.url}/key/${token}/submission`, { method: 'POST', body: form });
};

describe('per-account intake quota', () => {
  it('refuses a flood from one token with 429 and Retry-After, still answers a retry, and leaves others be', async () => {
    const api = bearer(s.url, flooder.token);
    const first = makeReport();
    const statuses: number[] = [];
    for (const body of [first, ...Array.from({ length: 9 }, () => makeReport())])
      statuses.push((await api.post('/api/reports', body)).status);
    // 5 a minute and 2 of burst: the 8th new report is refused, and every one after it.
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 201, 429, 429, 429]);

    const refused = await api.post('/api/reports', makeReport());
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toMatch(/intake quota reached .*not stored.*send it again in \d+ s/);

    // The retry of an accepted report: the same answer as ever, and it takes nothing (asked twice, still 200).
    for (let i = 0; i < 2; i++) {
      const retry = await api.post('/api/reports', first);
      expect(retry.status).toBe(200);
      expect(retry.body.clientId).toBe(first.clientId);
    }
    // Nothing refused was stored.
    expect(await s.rt.db.report.count({ where: { observerId: flooder.user.id } })).toBe(7);

    // The same account through OpenRosa: refused in OpenRosa's XML, with Retry-After.
    const viaCollect = await openRosa(flooder.token, randomUUID());
    expect(viaCollect.status).toBe(429);
    expect(viaCollect.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(viaCollect.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await viaCollect.text()).toMatch(
      /<OpenRosaResponse[^>]*>[\s\S]*<message nature="error">intake quota reached/,
    );

    // And through a browser session.
    const web = browser(s.url);
    await web.login(flooder.username, flooder.password);
    expect((await web.post('/api/reports', makeReport())).status).toBe(429);

    // Another observer files as usual.
    expect((await bearer(s.url, other.token).post('/api/reports', makeReport())).status).toBe(201);
    expect((await openRosa(other.token, randomUUID())).status).toBe(201);
  });

  it('counts an edit of a sent form as intake too (a new version to process), never its resend', async () => {
    const editor = await s.makeUser('observer');
    const first = randomUUID();
    expect((await openRosa(editor.token, first)).status).toBe(201);
    // Edit after edit of one report: each a version the pipeline processes again. 5 a minute and 2 of burst.
    const statuses: number[] = [];
    let replaces = first;
    let last = first;
    let lastReplaced = first;
    for (let i = 0; i < 8; i++) {
      const instance = randomUUID();
      const res = await openRosa(
        editor.token,
        instance,
        { narrative: `Convoy seen, count revised to ${i + 3}.` },
        replaces,
      );
      statuses.push(res.status);
      if (res.status === 201) [lastReplaced, replaces, last] = [replaces, instance, instance];
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429]);
    const report = await s.rt.db.report.findFirstOrThrow({ where: { observerId: editor.user.id } });
    expect(report.version).toBe(7);
    // The last edit sent again is answered as ever, and costs nothing.
    const again = await openRosa(editor.token, last, { narrative: 'Convoy seen, count revised to 8.' }, lastReplaced);
    expect(again.status).toBe(201);
  });
});
