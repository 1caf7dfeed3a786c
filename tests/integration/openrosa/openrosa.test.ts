// ODK Collect's conversation with the server, over real HTTP, PostgreSQL and Redis.
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRosaRouter } from '../../../src/http/routes/openrosa.ts';
import { authDeps, type Runtime } from '../../../src/runtime.ts';
import { makeJpeg } from '../../helpers/factories.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { collectSubmission } from '../../helpers/factories.ts';

let server: TestServer;
let rt: Runtime;
let api: { url: string };
let token: string;
let jpeg: Buffer;
let OBSERVER: string;
let REVIEWER: string;
let observerName: string;
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

beforeAll(async () => {
  // The relay stays off: these tests read the outbox rows the intake writes, before anything consumes them.
  server = await startTestServer({ relay: false });
  rt = server.rt;
  api = { url: server.url };
  const observer = await server.makeUser('observer');
  const reviewer = await server.makeUser('commission');
  observerName = observer.username;
  OBSERVER = basic(observer.username, observer.password);
  REVIEWER = basic(reviewer.username, reviewer.password);
  token = observer.token;
  jpeg = await makeJpeg(7);
});

afterAll(async () => {
  await server?.close();
});

function submissionBody(xml: string, files: Array<[string, Buffer]> = [], xmlField = 'xml_submission_file'): FormData {
  const form = new FormData();
  form.append(xmlField, new Blob([xml], { type: 'text/xml' }), 'submission.xml');
  // Collect names each attachment part after its file.
  for (const [name, data] of files) form.append(name, new Blob([data], { type: 'image/jpeg' }), name);
  return form;
}

const submit = (body: FormData, auth = OBSERVER, prefix = '') =>
  fetch(`${api.url}${prefix}/submission`, { method: 'POST', headers: { authorization: auth }, body });

async function reportsFor(clientId: string) {
  return rt.db.report.findMany({ where: { clientId }, include: { attachments: true } });
}

describe('Basic credentials of a disabled account', () => {
  it('stop working within the recheck interval of the pair cache (5 s), not only when the pair expires (30 s)', async () => {
    const observer = await server.makeUser('observer');
    const auth = basic(observer.username, observer.password);
    expect((await fetch(`${api.url}/formList`, { headers: { authorization: auth } })).status).toBe(200);
    await rt.db.user.update({ where: { id: observer.user.id }, data: { disabledAt: new Date() } });
    await new Promise((r) => setTimeout(r, 5_100));
    expect((await fetch(`${api.url}/formList`, { headers: { authorization: auth } })).status).toBe(401);
  });
});

describe('form list and form download', () => {
  it('challenges with 401 Basic, then lists the form with OpenRosa headers and a hash of the served XForm', async () => {
    const anon = await fetch(`${api.url}/formList`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Basic realm="ceasefire", charset="UTF-8"');
    expect(anon.headers.get('x-openrosa-version')).toBe('1.0');
    expect(await anon.text()).toContain('<message nature="error">');

    const res = await fetch(`${api.url}/formList`, {
      headers: { authorization: OBSERVER, 'x-openrosa-version': '1.0' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-openrosa-version')).toBe('1.0');
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(Date.parse(res.headers.get('date') ?? '')).not.toBeNaN();
    const list = await res.text();
    expect(list).toContain('<xforms xmlns="http://openrosa.org/xforms/xformsList">');
    expect(list).toContain('<formID>ceasefire_report</formID>');
    const downloadUrl = /<downloadUrl>([^<]+)<\/downloadUrl>/.exec(list)![1];
    expect(downloadUrl).toBe(`${api.url}/forms/ceasefire_report/form.xml`);

    const form = await fetch(downloadUrl, { headers: { authorization: OBSERVER } });
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const xml = Buffer.from(await form.arrayBuffer());
    expect(list).toContain(`<hash>md5:${createHash('md5').update(xml).digest('hex')}</hash>`);
    expect(xml.toString('utf8')).toContain('jr:preload="uid"');
  });

  it('refuses a wrong password, and 404s an unknown form in OpenRosa XML', async () => {
    const wrong = await fetch(`${api.url}/formList`, {
      headers: { authorization: basic(observerName, 'not-the-password') },
    });
    expect(wrong.status).toBe(401);
    const failed = await rt.db.auditEvent.findMany({ where: { action: 'login_failed', actorName: observerName } });
    expect(failed.map((a) => a.after)).toContainEqual(expect.objectContaining({ via: 'openrosa' }));
    const missing = await fetch(`${api.url}/forms/household_survey/form.xml`, { headers: { authorization: OBSERVER } });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<OpenRosaResponse xmlns="http://openrosa.org/http/response">');
  });

  it('filters by formID as Collect asks when updating one form', async () => {
    const other = await fetch(`${api.url}/formList?formID=household_survey`, { headers: { authorization: OBSERVER } });
    expect(await other.text()).not.toContain('<xform>');
  });
});

describe('submission', () => {
  it('HEAD preflight: 401 challenge, then 204 with the accepted content length', async () => {
    const anon = await fetch(`${api.url}/submission`, { method: 'HEAD' });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm="ceasefire"/);
    const res = await fetch(`${api.url}/submission`, { method: 'HEAD', headers: { authorization: OBSERVER } });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-openrosa-version')).toBe('1.0');
    expect(Number(res.headers.get('x-openrosa-accept-content-length'))).toBe(rt.config.MAX_ATTACHMENT_BYTES);
  });

  it('creates an openrosa report with its photo and processing job; a resend is 201 with nothing new', async () => {
    const id = randomUUID();
    const xml = collectSubmission({ narrative: 'رتل من ١٢ آلية يتحرك جنوب سرت' }, { instanceId: id });
    const res = await submit(submissionBody(xml, [['1605331200123.jpg', jpeg]]));
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(res.headers.get('x-openrosa-accept-content-length')).toBe(String(rt.config.MAX_ATTACHMENT_BYTES));
    expect(await res.text()).toContain('<message nature="submit_success">Report received');

    const [report] = await reportsFor(id);
    expect(report).toMatchObject({
      source: 'openrosa',
      narrative: 'رتل من ١٢ آلية يتحرك جنوب سرت',
      lat: 32.3754,
      lon: 15.0925,
      accuracyM: 5,
      partyAlleged: 'LAAF',
      casualties: { injured: 2 },
      status: 'received',
    });
    expect(report.attachments).toEqual([
      expect.objectContaining({ mime: 'image/jpeg', originalName: '1605331200123.jpg', sizeBytes: jpeg.length }),
    ]);
    const jobs = () => rt.db.outboxEvent.count({ where: { payload: { equals: { reportId: report.id } } } });
    expect(await jobs()).toBe(1);

    const again = await submit(submissionBody(xml, [['1605331200123.jpg', jpeg]]));
    expect(again.status).toBe(201);
    expect(await again.text()).toContain('already received');
    const after = await reportsFor(id);
    expect(after).toHaveLength(1);
    expect(after[0].attachments).toHaveLength(1);
    expect(await jobs()).toBe(1);
  });

  it('a photo sent in a later POST (Collect splitting a large submission) joins the same report', async () => {
    const id = randomUUID();
    const xml = collectSubmission({}, { instanceId: id });
    expect((await submit(submissionBody(xml))).status).toBe(201);
    expect((await reportsFor(id))[0].attachments).toHaveLength(0);
    const second = await submit(submissionBody(xml, [['1605331200123.jpg', jpeg]]));
    expect(second.status).toBe(201);
    const reports = await reportsFor(id);
    expect(reports).toHaveLength(1);
    expect(reports[0].attachments.map((a) => a.originalName)).toEqual(['1605331200123.jpg']);
  });

  it('accepts the XML as a plain text field, as some clients send it', async () => {
    const id = randomUUID();
    const body = new FormData();
    body.append('xml_submission_file', collectSubmission({ photo: '' }, { instanceId: id }));
    expect((await submit(body)).status).toBe(201);
    expect(await reportsFor(id)).toHaveLength(1);
  });

  it('the same instanceID with other content is 409', async () => {
    const id = randomUUID();
    expect((await submit(submissionBody(collectSubmission({}, { instanceId: id })))).status).toBe(201);
    const changed = await submit(submissionBody(collectSubmission({ killed: '3' }, { instanceId: id })));
    expect(changed.status).toBe(409);
    expect(await changed.text()).toContain('<message nature="error">');
    expect(await reportsFor(id)).toHaveLength(1);
  });

  it('ignores parts the form does not reference instead of failing on their type', async () => {
    const id = randomUUID();
    const body = submissionBody(collectSubmission({}, { instanceId: id }), [['1605331200123.jpg', jpeg]]);
    body.append('audit.csv', new Blob(['event,node,start\n'], { type: 'text/csv' }), 'audit.csv');
    expect((await submit(body)).status).toBe(201);
    expect((await reportsFor(id))[0].attachments).toHaveLength(1);
  });

  it.each([
    ['malformed XML', 400, () => submissionBody('<data id="ceasefire_report"><narrative>half')],
    ['an unknown form', 404, () => submissionBody(collectSubmission({}, { formId: 'household_survey' }))],
    ['no xml_submission_file part', 400, () => submissionBody(collectSubmission(), [], 'submission')],
    ['a field that is not a geopoint', 422, () => submissionBody(collectSubmission({ location: 'near the gate' }))],
  ])('%s → %i with an OpenRosa message, nothing stored', async (_what, status, body) => {
    const before = await rt.db.report.count();
    const res = await submit(body());
    expect(res.status).toBe(status);
    expect(res.headers.get('x-openrosa-version')).toBe('1.0');
    expect(await res.text()).toMatch(/<message nature="error">.+<\/message>/);
    expect(await rt.db.report.count()).toBe(before);
  });

  it('a body that is not multipart is 415; a commission account may not submit', async () => {
    const json = await fetch(`${api.url}/submission`, {
      method: 'POST',
      headers: { authorization: OBSERVER, 'content-type': 'text/xml' },
      body: collectSubmission(),
    });
    expect(json.status).toBe(415);
    const reviewer = await submit(submissionBody(collectSubmission({}, { instanceId: randomUUID() })), REVIEWER);
    expect(reviewer.status).toBe(403);
  });
});

describe('token in the server URL (/key/<token>)', () => {
  it('lists, downloads and submits without Basic, with URLs that keep the key', async () => {
    const prefix = `/key/${token}`;
    const list = await (await fetch(`${api.url}${prefix}/formList`)).text();
    const downloadUrl = /<downloadUrl>([^<]+)<\/downloadUrl>/.exec(list)![1];
    expect(downloadUrl).toBe(`${api.url}${prefix}/forms/ceasefire_report/form.xml`);
    expect((await fetch(downloadUrl)).status).toBe(200);
    expect((await fetch(`${api.url}${prefix}/submission`, { method: 'HEAD' })).status).toBe(204);
    const id = randomUUID();
    const res = await fetch(`${api.url}${prefix}/submission`, {
      method: 'POST',
      body: submissionBody(collectSubmission({}, { instanceId: id })),
    });
    expect(res.status).toBe(201);
    expect((await reportsFor(id))[0].source).toBe('openrosa');
  });

  it('a wrong key is 403 without a Basic challenge', async () => {
    const res = await fetch(`${api.url}/key/cft_not-a-real-token/formList`);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});

describe('Basic over plain HTTP in production', () => {
  it('is refused unless a trusted proxy says the request came over HTTPS', async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    app.use(openRosaRouter({ ...rt, ...authDeps(rt), config: { ...rt.config, cookieSecure: true } }));
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const anon = await fetch(`${url}/formList`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toBeNull();
      expect((await fetch(`${url}/formList`, { headers: { authorization: OBSERVER } })).status).toBe(403);
      const viaTls = await fetch(`${url}/formList`, {
        headers: { authorization: OBSERVER, 'x-forwarded-proto': 'https' },
      });
      expect(viaTls.status).toBe(200);
      expect(await viaTls.text()).toContain('<downloadUrl>https://');
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});

describe('submission encodings', () => {
  const bytesBody = (xml: Buffer) => {
    const form = new FormData();
    form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
    return form;
  };
  it('reads a document declared ISO-8859-1 in that encoding, keeping the text exactly', async () => {
    const id = randomUUID();
    const xml = collectSubmission(
      { narrative: 'Convoi vu près du café de la gare', place_name: 'Syrte' },
      { instanceId: id },
    ).replace(/^<\?xml[^>]*\?>/, '<?xml version="1.0" encoding="ISO-8859-1"?>');
    const res = await submit(bytesBody(Buffer.from(xml, 'latin1')));
    expect(res.status).toBe(201);
    const [report] = await reportsFor(id);
    expect(report!.narrative).toBe('Convoi vu près du café de la gare');
  });
  it('refuses bytes that are not valid in the declared (or default UTF-8) encoding, instead of replacing them', async () => {
    const id = randomUUID();
    const xml = collectSubmission({ narrative: 'café' }, { instanceId: id });
    const bytes = Buffer.from(xml, 'latin1'); // é as the single byte 0xE9: invalid UTF-8
    const res = await submit(bytesBody(bytes));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not valid utf-8/);
    expect(await reportsFor(id)).toHaveLength(0);
  });
  it('refuses an encoding it cannot decode, naming it', async () => {
    const xml = collectSubmission({}, { instanceId: randomUUID() }).replace(
      /^<\?xml[^>]*\?>/,
      '<?xml version="1.0" encoding="x-unknown"?>',
    );
    const res = await submit(bytesBody(Buffer.from(xml)));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/encoding x-unknown is not supported/);
  });
});

describe('form list links', () => {
  it('come from PUBLIC_URL, never from a forged Host header, and keep the key the client came with', async () => {
    const s2 = await startTestServer({ relay: false, env: { PUBLIC_URL: 'https://monitoring.example.org/' } });
    try {
      const o = await s2.makeUser('observer');
      const forged = (path: string) =>
        new Promise<string>((resolve, reject) => {
          const req = http.request(
            `${s2.url}${path}`,
            { headers: { host: 'attacker.example', authorization: basic(o.username, o.password) } },
            (res) => {
              let body = '';
              res.setEncoding('utf8');
              res.on('data', (c) => {
                body += c;
              });
              res.on('end', () => resolve(body));
            },
          );
          req.on('error', reject);
          req.end();
        });
      const plain = await forged('/formList');
      expect(/<downloadUrl>([^<]+)<\/downloadUrl>/.exec(plain)![1]).toBe(
        'https://monitoring.example.org/forms/ceasefire_report/form.xml',
      );
      const keyed = await forged(`/key/${o.token}/formList`);
      expect(/<downloadUrl>([^<]+)<\/downloadUrl>/.exec(keyed)![1]).toBe(
        `https://monitoring.example.org/key/${o.token}/forms/ceasefire_report/form.xml`,
      );
      expect(keyed).not.toMatch(/attacker/);
    } finally {
      await s2.close();
    }
  });
});

describe('several photos (the form version with a repeat)', () => {
  const withPhotos = (names: string[], instanceId: string) =>
    collectSubmission({ photo: '' }, { instanceId }).replace(
      '<photo></photo>',
      names.map((n) => `<photos><photo>${n}</photo></photos>`).join(''),
    );

  it('stores every photo of the repeat with the one report', async () => {
    const id = randomUUID();
    const photos: Array<[string, Buffer]> = [
      ['1.jpg', await makeJpeg(31)],
      ['2.jpg', await makeJpeg(32)],
      ['3.jpg', await makeJpeg(33)],
    ];
    const res = await submit(submissionBody(withPhotos(['1.jpg', '2.jpg', '3.jpg'], id), photos));
    expect(res.status).toBe(201);
    const [report] = await reportsFor(id);
    expect(report!.attachments.map((a) => a.originalName).sort()).toEqual(['1.jpg', '2.jpg', '3.jpg']);
  });

  it('refuses more photos than a report may hold, naming the form question', async () => {
    const names = Array.from({ length: 11 }, (_, i) => `p${i}.jpg`);
    const files = await Promise.all(names.map(async (n, i): Promise<[string, Buffer]> => [n, await makeJpeg(40 + i)]));
    const id = randomUUID();
    const res = await submit(submissionBody(withPhotos(names, id), files));
    expect(res.status).toBe(413);
    const text = await res.text();
    expect(text).toContain('photo');
    expect(text).not.toContain('attachments');
    expect(await reportsFor(id)).toEqual([]);
  });
});
