// Evidence is served as data, never as a page or a script: whatever name and bytes an observer sends, the download
// carries the type sniffed at intake, an attachment disposition, nosniff and a sandboxing CSP. A WebP header in
// front of JavaScript under a `.js` or `.html` name once came back as text/javascript or text/html.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.ts';
import { bearer } from '../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;

/** RIFF/WEBP magic bytes, then a script: passes a magic-byte check as image/webp. */
const polyglot = Buffer.concat([
  Buffer.from('RIFF'), Buffer.from([0x40, 0, 0, 0]), Buffer.from('WEBPVP8 '),
  Buffer.from('\n/*x*/;fetch("/api/incidents").then(r=>r.text()).then(t=>parent.postMessage(t,"*"));//'.padEnd(80, ' ')),
]);

beforeAll(async () => {
  s = await startTestServer();
  observer = await s.makeUser('observer');
  member = await s.makeUser('commission');
});
afterAll(async () => { await s?.close(); });

async function upload(name: string, data: Buffer): Promise<string> {
  const r = await bearer(s.url, observer.token).form('/api/reports', reportForm(makeReport(), [{ data, name }]));
  expect(r.status).toBe(201);
  return r.body.attachments[0].id as string;
}

describe('evidence downloads', () => {
  it.each(['payload.js', 'payload.html', 'payload.svg', 'payload.xhtml', 'payload'])('serve %s as the sniffed type, as a download, sandboxed', async (name) => {
    const id = await upload(name, polyglot);
    for (const who of [observer, member]) {
      const r = await bearer(s.url, who.token).get(`/api/attachments/${id}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/webp');
      expect(r.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('content-security-policy')).toMatch(/sandbox/);
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    }
  });

  it('keeps an observer-typed file name as display text only (quotes, CR/LF and non-Latin letters)', async () => {
    const id = await upload('صورة "1"\r\nX-Injected: yes.jpg', await makeJpeg(3));
    const r = await bearer(s.url, member.token).get(`/api/attachments/${id}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-injected')).toBeNull();
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''/);
  });

  it('serves thumbnails as JPEG with the same protections', async () => {
    const id = await upload('photo.html', await makeJpeg(4));
    const r = await bearer(s.url, member.token).get(`/api/attachments/${id}/thumbnail`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toMatch(/sandbox/);
  });
});
