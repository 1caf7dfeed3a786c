// Evidence is served as data, never as a page or a script: whatever name and bytes an observer sends, the download
// carries the type sniffed at intake, an attachment disposition, nosniff and a sandboxing CSP. A WebP header in
// front of JavaScript under a `.js` or `.html` name once came back as text/javascript or text/html.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;

/** RIFF/WEBP magic bytes, then a script: passes a magic-byte check as image/webp. */
const polyglot = Buffer.concat([
  Buffer.from('RIFF'),
  Buffer.from([0x40, 0, 0, 0]),
  Buffer.from('WEBPVP8 '),
  Buffer.from(
    '\n/*x*/;fetch("/api/incidents").then(r=>r.text()).then(t=>parent.postMessage(t,"*"));//'.padEnd(80, ' '),
  ),
]);

/** A valid PNG signature and IHDR chunk declaring the given size, then one tiny IDAT: decoding must refuse it. */
function hugePng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 3, 0, 0, 0, 0, 1])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

beforeAll(async () => {
  s = await startTestServer();
  observer = await s.makeUser('observer');
  member = await s.makeUser('commission');
});
afterAll(async () => {
  await s?.close();
});

async function upload(name: string, data: Buffer): Promise<string> {
  const r = await bearer(s.url, observer.token).form('/api/reports', reportForm(makeReport(), [{ data, name }]));
  expect(r.status).toBe(201);
  return r.body.attachments[0].id as string;
}

describe('evidence downloads', () => {
  it.each(['payload.js', 'payload.html', 'payload.svg', 'payload.xhtml', 'payload'])(
    'serve %s as the sniffed type, as a download, sandboxed',
    async (name) => {
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
    },
  );

  it('keeps an observer-typed file name as display text only (quotes, CR/LF and non-Latin letters)', async () => {
    const id = await upload('صورة "1"\r\nX-Injected: yes.jpg', await makeJpeg(3));
    const r = await bearer(s.url, member.token).get(`/api/attachments/${id}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-injected')).toBeNull();
    expect(r.headers.get('content-type')).toBe('image/jpeg');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''/);
  });

  it('makes a first thumbnail once for parallel requests', async () => {
    const id = await upload('p.jpg', await makeJpeg(5));
    const all = await Promise.all(
      Array.from({ length: 8 }, () => bearer(s.url, member.token).get(`/api/attachments/${id}/thumbnail`)),
    );
    expect(all.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(all.map((r) => r.text)).size).toBe(1);
  });

  it('answers 422 for a picture too large to decode (a 50000x50000 PNG header)', async () => {
    const id = await upload('huge.png', hugePng(50_000, 50_000));
    const r = await bearer(s.url, member.token).get(`/api/attachments/${id}/thumbnail`);
    expect(r.status).toBe(422);
    expect(r.body.error.issues[0]).toMatchObject({ field: 'id', reason: expect.stringMatching(/too large/) });
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
