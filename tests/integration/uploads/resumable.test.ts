// Resumable photo uploads against the real server: chunks at the offset the server holds, a transfer cut mid-chunk
// resumed from what arrived, the finished photo cited by a report and stored byte for byte, ownership, limits, expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer, browser } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { waitFor } from '../../helpers/wait.ts';
import { sweepExpiredUploads, uploadPath } from '../../../src/uploads/service.ts';

let s: TestServer;
let observer: TestUser;
let other: TestUser;
const MAX_BYTES = 600 * 1024;

beforeAll(async () => {
  s = await startTestServer({
    relay: false,
    env: { MAX_ATTACHMENT_BYTES: String(MAX_BYTES), MAX_OPEN_UPLOADS: '4', UPLOAD_EXPIRY_HOURS: '24' },
  });
  observer = await s.makeUser('observer');
  other = await s.makeUser('observer');
});
afterAll(async () => {
  await s.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A JPEG large enough to need several chunks: trailing bytes after the image do not change its type. */
const bigPhoto = async (seed: number) => Buffer.concat([await makeJpeg(seed), randomBytes(300 * 1024)]);

const start = (u: TestUser, lengthBytes: number, originalName = 'photo.jpg') =>
  bearer(s.url, u.token).post('/api/uploads', { lengthBytes, originalName });
const chunk = (u: TestUser, id: string, offset: number, bytes: Buffer) =>
  bearer(s.url, u.token).raw(`/api/uploads/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
    body: new Uint8Array(bytes),
  });
const offsetOf = async (u: TestUser, id: string) => {
  const r = await bearer(s.url, u.token).raw(`/api/uploads/${id}`, { method: 'HEAD' });
  return r.status === 200 ? Number(r.headers.get('upload-offset')) : r.status;
};
async function sendAll(u: TestUser, id: string, photo: Buffer, size = 64 * 1024): Promise<void> {
  for (let at = await offsetOf(u, id); at < photo.length; at += size) {
    const r = await chunk(u, id, at, photo.subarray(at, Math.min(at + size, photo.length)));
    expect(r.status).toBe(200);
  }
}
async function finished(u: TestUser, photo: Buffer): Promise<string> {
  const created = await start(u, photo.length);
  expect(created.status).toBe(201);
  await sendAll(u, created.body.id, photo);
  return created.body.id;
}

/** A PATCH whose link drops after `sent` of its `declared` bytes reached the server. */
function cutTransfer(u: TestUser, id: string, offset: number, declared: Buffer, sent: number): Promise<void> {
  const url = new URL(`/api/uploads/${id}`, s.url);
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${u.token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        'content-length': String(declared.length),
      },
    });
    req.on('error', () => resolve());
    req.write(declared.subarray(0, sent), () => {
      req.socket?.destroy();
      resolve();
    });
  });
}

describe('resumable upload', () => {
  it('resumes a transfer cut mid-chunk from the offset the server holds; the report has the byte-identical photo', async () => {
    const photo = await bigPhoto(1);
    const created = await start(observer, photo.length);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ offsetBytes: 0, lengthBytes: photo.length, complete: false });
    expect(created.headers.get('location')).toBe(`/api/uploads/${created.body.id}`);
    const id = created.body.id as string;

    const first = await chunk(observer, id, 0, photo.subarray(0, 65_536));
    expect(first.status).toBe(200);
    expect(first.headers.get('upload-offset')).toBe('65536');

    // The link drops 40,000 bytes into a 128 KB chunk: those bytes are kept.
    await cutTransfer(observer, id, 65_536, photo.subarray(65_536, 65_536 + 131_072), 40_000);
    const held = await waitFor(async () => {
      const at = await offsetOf(observer, id);
      return at === 105_536 ? at : null;
    }, 'the bytes of the cut transfer counted');
    expect(held).toBe(105_536);

    // From the start again, or from where the client thought it was: refused, with the offset to use.
    const wrong = await chunk(observer, id, 65_536, photo.subarray(65_536, 70_000));
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.offsetBytes).toBe(105_536);

    await sendAll(observer, id, photo);
    const done = await bearer(s.url, observer.token).get(`/api/uploads/${id}`);
    expect(done.body).toMatchObject({ complete: true, offsetBytes: photo.length, sha256: sha(photo), reportId: null });

    const input = makeReport({ uploadIds: [id] });
    const report = await bearer(s.url, observer.token).post('/api/reports', input);
    expect(report.status).toBe(201);
    expect(report.body.attachments).toHaveLength(1);
    expect(report.body.attachments[0]).toMatchObject({
      sha256: sha(photo),
      mime: 'image/jpeg',
      sizeBytes: photo.length,
    });
    const file = await fetch(s.url + report.body.attachments[0].url, {
      headers: { authorization: `Bearer ${observer.token}` },
    });
    expect(file.status).toBe(200);
    expect(sha(Buffer.from(await file.arrayBuffer()))).toBe(sha(photo));
    // The held bytes moved under the content address; the upload names its report.
    expect(existsSync(uploadPath(s.rt.files, id))).toBe(false);
    expect((await bearer(s.url, observer.token).get(`/api/uploads/${id}`)).body.reportId).toBe(report.body.id);

    // A retry of the same report (same clientId) is the same report; another report cannot use the photo again.
    const retry = await bearer(s.url, observer.token).post('/api/reports', input);
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(report.body.id);
    expect(retry.body.attachments).toHaveLength(1);
    const reuse = await bearer(s.url, observer.token).post('/api/reports', makeReport({ uploadIds: [id] }));
    expect(reuse.status).toBe(422);
    expect(reuse.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'already used by another report' }]);
    // No more bytes once it is evidence.
    expect((await chunk(observer, id, photo.length, Buffer.from('x'))).status).toBe(409);
  });

  it("is another observer's to neither see, resume nor cite (404 / no such upload)", async () => {
    const photo = await bigPhoto(2);
    const created = await start(observer, photo.length);
    const id = created.body.id as string;
    await chunk(observer, id, 0, photo.subarray(0, 1000));
    expect(await offsetOf(other, id)).toBe(404);
    expect((await bearer(s.url, other.token).get(`/api/uploads/${id}`)).status).toBe(404);
    expect((await chunk(other, id, 1000, photo.subarray(1000, 2000))).status).toBe(404);
    expect((await bearer(s.url, other.token).delete(`/api/uploads/${id}`)).status).toBe(404);
    await sendAll(observer, id, photo);
    const cited = await bearer(s.url, other.token).post('/api/reports', makeReport({ uploadIds: [id] }));
    expect(cited.status).toBe(422);
    expect(cited.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'no such upload' }]);
    expect(await s.rt.db.report.count({ where: { observerId: other.user.id } })).toBe(0);
    expect((await bearer(s.url, observer.token).delete(`/api/uploads/${id}`)).status).toBe(204);
  });

  it('names the field of a bad, unfinished or unacceptable upload, and gives a refused upload back', async () => {
    const bad = await bearer(s.url, observer.token).post('/api/reports', makeReport({ uploadIds: ['nope'] }));
    expect(bad.status).toBe(422);
    expect(bad.body.error.issues[0].field).toBe('uploadIds[0]');
    const unknown = await bearer(s.url, observer.token).post('/api/reports', makeReport({ uploadIds: [randomUUID()] }));
    expect(unknown.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'no such upload' }]);

    const half = await start(observer, 5000);
    await chunk(observer, half.body.id, 0, randomBytes(1000));
    const early = await bearer(s.url, observer.token).post('/api/reports', makeReport({ uploadIds: [half.body.id] }));
    expect(early.status).toBe(422);
    expect(early.body.error.issues).toEqual([
      { field: 'uploadIds[0]', reason: 'upload not finished (1000 of 5000 bytes received)' },
    ]);
    expect((await bearer(s.url, observer.token).delete(`/api/uploads/${half.body.id}`)).status).toBe(204);

    // Not a photo by its content: the same check as a multipart file, named by the upload's field.
    const junk = randomBytes(4000);
    const junkId = await finished(observer, junk);
    const input = makeReport({ uploadIds: [junkId] });
    const refused = await bearer(s.url, observer.token).post('/api/reports', input);
    expect(refused.status).toBe(415);
    expect(refused.body.error.issues[0].field).toBe('uploadIds[0]');
    expect(await s.rt.db.report.count({ where: { clientId: input.clientId as string } })).toBe(0);
    // Given back: it is not tied to the refused report and can be deleted.
    expect((await bearer(s.url, observer.token).delete(`/api/uploads/${junkId}`)).status).toBe(204);
    expect(existsSync(uploadPath(s.rt.files, junkId))).toBe(false);
  });

  it('lets only one of two reports sent at once use the same upload', async () => {
    const id = await finished(other, await makeJpeg(13));
    const [a, b] = await Promise.all(
      [makeReport({ uploadIds: [id] }), makeReport({ uploadIds: [id] })].map((r) =>
        bearer(s.url, other.token).post('/api/reports', r),
      ),
    );
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    const refused = a.status === 422 ? a : b;
    expect(refused.body.error.issues).toEqual([{ field: 'uploadIds[0]', reason: 'already used by another report' }]);
    expect(await s.rt.db.attachment.count({ where: { report: { observerId: other.user.id } } })).toBe(1);
  });

  it('answers limits with status, field and reason', async () => {
    const tooBig = await start(observer, MAX_BYTES + 1);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.issues).toEqual([{ field: 'lengthBytes', reason: `larger than ${MAX_BYTES} bytes` }]);
    expect((await bearer(s.url, observer.token).post('/api/uploads', { originalName: 'a.jpg' })).status).toBe(422);

    const small = await start(observer, 100);
    const id = small.body.id as string;
    const past = await chunk(observer, id, 0, randomBytes(101));
    expect(past.status).toBe(413);
    expect(past.body.error.issues[0].field).toBe('(body)');
    expect(await offsetOf(observer, id)).toBe(0);
    const noOffset = await bearer(s.url, observer.token).raw(`/api/uploads/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream' },
      body: 'abc',
    });
    expect(noOffset.status).toBe(400);
    expect(noOffset.body.error.issues[0].field).toBe('Upload-Offset');
    const wrongType = await bearer(s.url, observer.token).raw(`/api/uploads/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'upload-offset': '0' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.error.issues[0].field).toBe('Content-Type');

    // MAX_OPEN_UPLOADS=4 unfinished or unused per observer.
    const opened = [id];
    for (let i = 0; i < 3; i++) opened.push((await start(observer, 100)).body.id);
    const fifth = await start(observer, 100);
    expect(fifth.status).toBe(409);
    expect(fifth.body.error).toMatchObject({ open: 4, max: 4 });
    expect((await start(other, 100)).status).toBe(201); // per observer
    for (const o of opened) expect((await bearer(s.url, observer.token).delete(`/api/uploads/${o}`)).status).toBe(204);
    expect((await start(observer, 100)).status).toBe(201);
  });

  it('works with a session and its CSRF token, as the observer app sends it', async () => {
    const b = browser(s.url);
    expect((await b.login(observer.username, observer.password)).status).toBe(200);
    const created = await b.post('/api/uploads', { lengthBytes: 10, originalName: 'x.jpg' });
    expect(created.status).toBe(201);
    const noCsrf = await b.post('/api/uploads', { lengthBytes: 10, originalName: 'x.jpg' }, { csrf: false });
    expect(noCsrf.status).toBe(403);
    await bearer(s.url, observer.token).delete(`/api/uploads/${created.body.id}`);
  });

  it("leaves no upload row of an erased report's photo", async () => {
    const admin = await s.makeUser('admin');
    const photo = await makeJpeg(12);
    const id = await finished(observer, photo);
    const report = await bearer(s.url, observer.token).post('/api/reports', makeReport({ uploadIds: [id] }));
    expect(report.status).toBe(201);
    expect(await s.rt.db.photoUpload.count({ where: { id } })).toBe(1);
    const erased = await bearer(s.url, admin.token).post(`/api/reports/${report.body.id}/erasure`, {
      reason: 'filed by mistake',
    });
    expect(erased.status).toBe(201);
    expect(await s.rt.db.photoUpload.count({ where: { id } })).toBe(0);
  });

  it('leaves the multipart report path as it was', async () => {
    const photo = await makeJpeg(9);
    const res = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(makeReport(), [{ data: photo, name: 'p.jpg', type: 'image/jpeg' }]),
    );
    expect(res.status).toBe(201);
    expect(res.body.attachments[0].sha256).toBe(sha(photo));
  });

  it('sweeps an upload idle past the expiry, with its bytes, and keeps one cited by a report', async () => {
    const idle = await start(other, 5000);
    await chunk(other, idle.body.id, 0, randomBytes(2000));
    expect(existsSync(uploadPath(s.rt.files, idle.body.id))).toBe(true);
    const cited = await s.rt.db.photoUpload.count({ where: { reportId: { not: null } } });
    const removed = await sweepExpiredUploads(s.rt.db, s.rt.files, {
      now: new Date(Date.now() + 25 * 3600_000),
      expiryMs: 24 * 3600_000,
    });
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await offsetOf(other, idle.body.id)).toBe(404);
    expect(existsSync(uploadPath(s.rt.files, idle.body.id))).toBe(false);
    expect(await s.rt.db.photoUpload.count({ where: { reportId: { not: null } } })).toBe(cited);
    // Not yet idle that long: kept.
    const fresh = await start(other, 10);
    expect(await sweepExpiredUploads(s.rt.db, s.rt.files, { now: new Date(), expiryMs: 24 * 3600_000 })).toBe(0);
    expect(await offsetOf(other, fresh.body.id)).toBe(0);
  });
});
