import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { sweepOrphanFiles } from '../../../src/storage/sweep.ts';

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ relay: false }); });
afterAll(async () => { await s.close(); });

describe('orphaned file sweep', () => {
  it('removes old files no attachment points at, and keeps evidence and fresh writes', async () => {
    const o = await s.makeUser('observer');
    const res = await bearer(s.url, o.token).form('/api/reports', reportForm(makeReport(), [{ data: await makeJpeg(42), name: 'kept.jpg' }]));
    const evidence = res.body.attachments[0].sha256;
    const orphan = await s.rt.files.put(await makeJpeg(43));
    const fresh = await s.rt.files.put(await makeJpeg(44));
    const tmp = path.join(s.rt.files.root, '.tmp-deadbeef');
    await writeFile(tmp, 'half');
    const old = new Date(Date.now() - 3 * 3600_000);
    for (const f of [s.rt.files.pathOf(evidence), s.rt.files.pathOf(orphan.sha256), tmp]) await utimes(f, old, old);

    const removed = await sweepOrphanFiles(s.rt.db, s.rt.files, { now: new Date(), olderThanMs: 3600_000 });
    expect(removed).toBe(2);
    expect(await s.rt.files.exists(evidence)).toBe(true);
    expect(await s.rt.files.exists(fresh.sha256)).toBe(true);
    expect(await s.rt.files.exists(orphan.sha256)).toBe(false);
    const download = await bearer(s.url, o.token).get(res.body.attachments[0].url);
    expect(download.status).toBe(200);
  });
});
