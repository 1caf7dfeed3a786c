// Additions to a sent report citing resumable uploads (POST /api/reports/:id/additions with uploadIds), against the
// real server: the finished photo becomes evidence of that report byte for byte, and each citation is checked as a
// new report's is — the observer's own, finished, not used by anything else, not swept — with status, field and
// reason; an addition refused gives its uploads back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport } from '../../helpers/factories.ts';
import { sweepExpiredUploads } from '../../../src/uploads/service.ts';

let s: TestServer;
let observer: TestUser;
let other: TestUser;
let reportId: string;
let othersReportId: string;

beforeAll(async () => {
  s = await startTestServer({ relay: false, env: { UPLOAD_EXPIRY_HOURS: '24' } });
  observer = await s.makeUser('observer');
  other = await s.makeUser('observer');
  reportId = (await bearer(s.url, observer.token).post('/api/reports', makeReport())).body.id;
  othersReportId = (await bearer(s.url, other.token).post('/api/reports', makeReport())).body.id;
});
afterAll(async () => {
  await s?.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function upload(u: TestUser, photo: Buffer, sent = photo.length): Promise<string> {
  const api = bearer(s.url, u.token);
  const created = await api.post('/api/uploads', { lengthBytes: photo.length, originalName: 'ridge.jpg' });
  expect(created.status).toBe(201);
  for (let at = 0; at < sent; at += 64 * 1024) {
    const r = await api.raw(`/api/uploads/${created.body.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(at) },
      body: new Uint8Array(photo.subarray(at, Math.min(at + 64 * 1024, sent))),
    });
    expect(r.status).toBe(200);
  }
  return created.body.id;
}
const add = (u: TestUser, id: string, body: unknown) =>
  bearer(s.url, u.token).post(`/api/reports/${id}/additions`, body);

describe('an addition citing resumable uploads', () => {
  it("makes the finished photo evidence of the report, stored byte for byte, and the upload that report's", async () => {
    const photo = Buffer.concat([await makeJpeg(21), randomBytes(150 * 1024)]);
    const id = await upload(observer, photo);
    const res = await add(observer, reportId, { text: 'Photo of the crater', uploadIds: [id] });
    expect(res.status).toBe(201);
    const evidence = res.body.report.attachments.find((a: { sha256: string }) => a.sha256 === sha(photo));
    expect(evidence).toMatchObject({ mime: 'image/jpeg', originalName: 'ridge.jpg', sizeBytes: photo.length });
    expect(res.body.report.additions.at(-1).attachments).toEqual([sha(photo)]);
    expect(await readFile(s.rt.files.pathOf(sha(photo)))).toEqual(photo);
    const held = await bearer(s.url, observer.token).get(`/api/uploads/${id}`);
    expect(held.body.reportId).toBe(reportId);

    // Evidence of that report now: another addition, or a new report, cannot cite it again.
    const again = await add(observer, reportId, { uploadIds: [id] });
    expect(again.status).toBe(422);
    expect(again.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'already used by another report' }]);
    const filed = await bearer(s.url, observer.token).post('/api/reports', makeReport({ uploadIds: [id] }));
    expect(filed.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'already used by another report' }]);
  });

  it('takes uploadIds as one comma-separated multipart field too', async () => {
    const photo = await makeJpeg(22);
    const id = await upload(observer, photo);
    const form = new FormData();
    form.set('uploadIds', id);
    const res = await bearer(s.url, observer.token).form(`/api/reports/${reportId}/additions`, form);
    expect(res.status).toBe(201);
    expect(res.body.report.additions.at(-1).attachments).toEqual([sha(photo)]);
  });

  it('refuses each bad citation with status, field and reason, and keeps nothing of the refused addition', async () => {
    const before = await s.rt.db.reportAddition.count();
    const photo = await makeJpeg(23);
    const half = await upload(observer, Buffer.concat([photo, randomBytes(100 * 1024)]), 64 * 1024);
    const notFinished = await add(observer, reportId, { uploadIds: [half] });
    expect(notFinished.status).toBe(422);
    expect(notFinished.body.error.issues[0]).toMatchObject({ field: 'uploadIds[0]' });
    expect(notFinished.body.error.issues[0].reason).toMatch(/^upload not finished/);

    const othersUpload = await upload(other, await makeJpeg(24));
    const foreign = await add(observer, reportId, { uploadIds: [othersUpload] });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'no such upload' }]);

    const malformed = await add(observer, reportId, { uploadIds: ['not-an-id'] });
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.issues[0].field).toBe('uploadIds[0]');
    const own = await upload(observer, photo);
    const twice = await add(observer, reportId, { uploadIds: [own, own] });
    expect(twice.body.error.issues).toEqual([{ field: 'uploadIds[1]', reason: 'cited twice' }]);
    const unknownField = await add(observer, reportId, { uploadIds: [own], photos: [own] });
    expect(unknownField.status).toBe(422);

    // Not a photo by its content: the same check as a multipart file, named by the upload's field.
    const junk = await upload(observer, randomBytes(4000));
    const notPhoto = await add(observer, reportId, { uploadIds: [junk] });
    expect(notPhoto.status).toBe(415);
    expect(notPhoto.body.error.issues[0].field).toBe('uploadIds[0]');
    expect(await s.rt.db.reportAddition.count()).toBe(before);
    // Given back: not tied to anything, so it can be deleted.
    expect((await bearer(s.url, observer.token).delete(`/api/uploads/${junk}`)).status).toBe(204);
  });

  it("is refused on another observer's report, and the upload is given back for the observer's own", async () => {
    const photo = await makeJpeg(25);
    const id = await upload(observer, photo);
    const refused = await add(observer, othersReportId, { uploadIds: [id] });
    expect(refused.status).toBe(404);
    expect((await bearer(s.url, observer.token).get(`/api/uploads/${id}`)).body.reportId).toBeNull();
    const added = await add(observer, reportId, { uploadIds: [id] });
    expect(added.status).toBe(201);
    expect(added.body.report.additions.at(-1).attachments).toEqual([sha(photo)]);
  });

  it('no longer finds an upload swept after the expiry', async () => {
    const id = await upload(observer, await makeJpeg(26));
    await sweepExpiredUploads(s.rt.db, s.rt.files, {
      now: new Date(Date.now() + 25 * 3600_000),
      expiryMs: 24 * 3600_000,
    });
    const late = await add(observer, reportId, { text: 'late photo', uploadIds: [id] });
    expect(late.status).toBe(422);
    expect(late.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'no such upload' }]);
  });
});
