// Malformed input at every write endpoint (fast-check): broken and wrongly-typed JSON, hostile multipart
// streams (path-like names, lying MIME types, truncated bodies), hostile XML submissions (entities, DOCTYPE,
// huge fields), and large or pathological bodies (tests/helpers/hostile-inputs.ts: many, repeated, deeply nested
// elements, entity-heavy text, mis-declared encodings and invalid UTF-8, huge attributes, many-part multipart) during
// which the API must keep answering others. The server must answer every one with a non-5xx status, stay up, and
// leave nothing behind: no staged part, no evidence without its file, no stored file without its row once the
// sweep's grace has passed.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { makeJpeg, makeReport, PDF_BYTES, reportForm } from '../../helpers/factories.ts';
import { waitFor } from '../../helpers/processes.ts';
import { listStore, storeProblems, sweepPastGrace } from '../../helpers/store-invariants.ts';
import { build, FIXED_CASES, hostileCase, type Endpoint } from '../../helpers/hostile-inputs.ts';
import { collectXml, multipart, uniquePhoto } from '../../../bench/fixtures.ts';

let s: TestServer;
let users: Record<'observer' | 'commission' | 'admin', TestUser>;
let jpeg: Buffer;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  users = {
    observer: await s.makeUser('observer'),
    commission: await s.makeUser('commission'),
    admin: await s.makeUser('admin'),
  };
  jpeg = await makeJpeg(5);
});
afterAll(async () => {
  await s.close();
});

/** Sends every case with a few in flight at once; returns every 5xx or dropped connection with its input. */
async function blast<T>(
  cases: T[],
  send: (c: T) => Promise<Response>,
  label: (c: T) => string,
): Promise<{ failures: string[]; statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++]!;
      let status = 0;
      let text = '';
      try {
        const r = await send(c);
        status = r.status;
        text = await r.text();
      } catch (err) {
        text = String(err);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || status === 0) failures.push(`${status} ${text.slice(0, 120)} ← ${label(c).slice(0, 400)}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return { failures, statuses };
}

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
const sample = <T>(arb: fc.Arbitrary<T>, n: number) => fc.sample(arb, { numRuns: n, seed: SEED });

const HOSTILE = [
  '../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/dev/zero',
  'C:\\boot.ini',
  '%2e%2e%2f',
  '\u0000',
  '<script>alert(1)</script>',
  '\'; DROP TABLE "Report"; --',
  '𝕏'.repeat(300),
  'a'.repeat(70_000),
  ' ',
  '',
  'NaN',
  '1e309',
  '-0',
  '{}',
  '[]',
  'null',
  'Sirte\u0000',
  '\ud800',
];
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constantFrom(...HOSTILE),
);
const wrongValue = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
const FIELDS = [
  'clientId',
  'observedAt',
  'lat',
  'lon',
  'accuracyM',
  'placeName',
  'narrative',
  'partyAlleged',
  'casualties',
  'observerId',
  '__proto__',
  'constructor',
];

/** A valid report with some fields replaced, removed or added. */
const mutatedReport = fc
  .record({
    changes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(wrongValue, { nil: undefined })), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map(({ changes }) => {
    const r: Record<string, unknown> = makeReport();
    for (const [k, v] of changes) {
      if (v === undefined) delete r[k];
      else r[k] = v;
    }
    return r;
  });
const jsonBody = fc.oneof(
  mutatedReport.map((r) => JSON.stringify(r)),
  fc.anything().map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.string(),
  mutatedReport.chain((r) =>
    fc.nat().map((n) => {
      const t = JSON.stringify(r);
      return t.slice(0, n % t.length);
    }),
  ),
  fc.nat({ max: 5000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.constant(`{"narrative":"${'x'.repeat(400_000)}"}`),
);

describe('fuzz: every write endpoint answers malformed input without a 5xx', () => {
  it('POST /api/reports with malformed JSON bodies and wrong content types', async () => {
    const contentTypes = [
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      '',
    ];
    // Every hostile value in every field, then random mutations.
    const exhaustive = FIELDS.flatMap((f) =>
      HOSTILE.map((v) => [JSON.stringify({ ...makeReport(), [f]: v }), 'application/json'] as [string, string]),
    );
    const cases = [
      ...exhaustive,
      ...sample(fc.tuple(jsonBody, fc.constantFrom(...contentTypes, 'application/json', 'application/json')), 400),
    ];
    const { failures, statuses } = await blast(
      cases,
      ([body, type]) =>
        fetch(`${s.url}/api/reports`, {
          method: 'POST',
          body,
          headers: { authorization: `Bearer ${users.observer.token}`, ...(type ? { 'content-type': type } : {}) },
        }),
      ([body, type]) => `${type} ${body}`,
    );
    expect(failures).toEqual([]);
    expect([...statuses.keys()].some((k) => k >= 400 && k < 500)).toBe(true);
  });

  it('POST /api/reports with hostile multipart streams', async () => {
    const part = fc.record({
      field: fc.constantFrom(
        'attachments',
        'attachments',
        'narrative',
        'lat',
        'casualties',
        'file',
        'attachments[]',
        '',
      ),
      name: hostileString,
      type: fc.constantFrom(
        'image/jpeg',
        'application/pdf',
        'text/plain',
        'application/x-msdownload',
        'image/svg+xml',
        '',
      ),
      data: fc.constantFrom('jpeg', 'pdf', 'html', 'exe', 'empty', 'svg'),
    });
    const mp = fc.record({
      report: mutatedReport,
      parts: fc.array(part, { maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      boundaryLie: fc.boolean(),
    });
    const DATA: Record<string, Buffer> = {
      jpeg,
      pdf: PDF_BYTES,
      html: Buffer.from('<html><script>x</script></html>'),
      exe: Buffer.from('MZ\x90\x00\x03\x00\x00\x00'),
      empty: Buffer.alloc(0),
      svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    };
    const cases = sample(mp, 300);
    const { failures } = await blast(
      cases,
      (c) => {
        const fields = Object.entries(c.report).map(
          ([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')] as [string, string],
        );
        const files = c.parts.map((p) => ({
          field: p.field,
          name: p.name.replace(/["\r\n]/g, '_'),
          type: p.type || 'application/octet-stream',
          data: DATA[p.data]!,
        }));
        let body = multipart('fuzzBOUNDARY', fields, files);
        if (c.cut !== undefined) body = body.subarray(0, c.cut % body.length);
        return fetch(`${s.url}/api/reports`, {
          method: 'POST',
          body: new Uint8Array(body),
          headers: {
            authorization: `Bearer ${users.observer.token}`,
            'content-type': `multipart/form-data; boundary=${c.boundaryLie ? 'otherBOUNDARY' : 'fuzzBOUNDARY'}`,
          },
        });
      },
      (c) => JSON.stringify({ ...c, report: undefined, reportKeys: Object.keys(c.report) }),
    );
    expect(failures).toEqual([]);

    // A stored clientId replayed with other content and other photos: refused (409) after its files were written,
    // so they are the sweep's to clear (checked at the end).
    const first = makeReport();
    const post = (r: Record<string, unknown>, photo: Buffer) =>
      fetch(`${s.url}/api/reports`, {
        method: 'POST',
        body: reportForm(r, [{ data: photo, name: 'replay.jpg', type: 'image/jpeg' }]),
        headers: { authorization: `Bearer ${users.observer.token}` },
      });
    expect((await post(first, jpeg)).status).toBe(201);
    for (let i = 0; i < 4; i++)
      expect(
        (await post({ ...first, narrative: `${first.narrative} (${i})` }, uniquePhoto(jpeg, `replay ${i}`))).status,
      ).toBe(409);
  });

  it('POST /submission (OpenRosa) with hostile XML', async () => {
    const valid = () => makeReport();
    const xml = fc.oneof(
      fc.string().map((t) => t),
      fc
        .record({ narrative: hostileString, place: hostileString })
        .map((f) => collectXml({ ...valid(), narrative: f.narrative, placeName: f.place }, null)),
      fc.nat().map((n) => {
        const t = collectXml(valid(), 'a.jpg');
        return t.slice(0, n % t.length);
      }),
      fc.constant(
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]><data id="ceasefire_report"><narrative>&lol4;</narrative></data>`,
      ),
      fc.constant(
        `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><data id="ceasefire_report"><narrative>&x;</narrative></data>`,
      ),
      fc.constant(collectXml({ ...valid(), narrative: 'y'.repeat(3_000_000) }, null)),
      fc
        .constantFrom('lat lon', '91 181 0 0', 'NaN NaN', '', '1e400 2', '31.2')
        .map((loc) => collectXml(valid(), null).replace(/<location>[^<]*<\/location>/, `<location>${loc}</location>`)),
      fc
        .constantFrom('2020-13-45', 'yesterday', '', '9999-01-01T00:00:00Z')
        .map((at) =>
          collectXml(valid(), null).replace(/<observed_at>[^<]*<\/observed_at>/, `<observed_at>${at}</observed_at>`),
        ),
      fc
        .constantFrom('other_form', '', '"><x')
        .map((id) => collectXml(valid(), null).replace('id="ceasefire_report"', `id="${id}"`)),
    );
    const cases = sample(fc.record({ xml, photoName: hostileString, asField: fc.boolean(), photo: fc.boolean() }), 350);
    const { failures } = await blast(
      cases,
      (c) => {
        const files: Array<{ field: string; name: string; type: string; data: Buffer }> = [
          { field: 'xml_submission_file', name: 'submission.xml', type: 'text/xml', data: Buffer.from(c.xml) },
        ];
        const name = c.photoName.replace(/["\r\n]/g, '_') || 'x.jpg';
        if (c.photo) files.push({ field: name, name, type: 'image/jpeg', data: c.asField ? PDF_BYTES : jpeg });
        return fetch(`${s.url}/key/${users.observer.token}/submission`, {
          method: 'POST',
          body: new Uint8Array(multipart('odkB', [], files)),
          headers: { 'content-type': 'multipart/form-data; boundary=odkB' },
        });
      },
      (c) => JSON.stringify({ ...c, xml: `${c.xml.slice(0, 40)}…${c.xml.slice(300, 700)}` }),
    );
    expect(failures).toEqual([]);
  });

  it('every other write route in the OpenAPI document, with wrong bodies and ids, for every role', async () => {
    const doc = (await (await fetch(`${s.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => ['post', 'patch', 'put', 'delete'].includes(m) && !(p === '/api/reports' || p === '/submission'))
        .map((m) => ({ method: m.toUpperCase(), path: p })),
    );
    expect(routes.length).toBeGreaterThan(3);
    const ids = fc.oneof(
      fc.uuid().map(String),
      fc.constantFrom(randomUUID(), 'not-a-uuid', '..%2F..', '0', 'reports', '%00', 'x'.repeat(500)),
    );
    const cases = sample(
      fc.record({
        route: fc.constantFrom(...routes),
        id: ids,
        body: jsonBody,
        role: fc.constantFrom('observer', 'commission', 'admin') as fc.Arbitrary<keyof typeof users>,
      }),
      450,
    );
    const { failures } = await blast(
      cases,
      (c) =>
        fetch(s.url + c.route.path.replace(/\{[^}]+\}/g, encodeURIComponent(c.id)), {
          method: c.route.method,
          body: c.route.method === 'DELETE' ? undefined : c.body,
          headers: { authorization: `Bearer ${users[c.role].token}`, 'content-type': 'application/json' },
        }),
      (c) => `${c.role} ${c.route.method} ${c.route.path} id=${c.id} ${c.body}`,
    );
    expect(failures).toEqual([]);
  });
});

describe('fuzz: large, repetitive, nested, entity-heavy, mis-encoded and many-part inputs keep the API responsive', () => {
  // The API runs in this process, so a request that holds its event loop holds this probe's timer too: the longest
  // gap between its ticks while a request is in flight is how long the API could answer nobody else. The bound is
  // generous (seconds) for inputs of a few MB; the 40,000-element submission that motivated it held the loop 9 s.
  const STALL_BOUND_MS = 3_000;
  /** Ticks every 10 ms; stop() gives the longest stall, counting the one still running (a block that ends with the answer). */
  function stallProbe(everyMs = 10) {
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - everyMs);
      last = now;
    }, everyMs);
    return {
      stop() {
        clearInterval(timer);
        return Math.round(Math.max(worst, performance.now() - last - everyMs));
      },
    };
  }

  it('answers each with a non-5xx status and a /healthz sent while it is in flight, and never stalls its event loop for seconds', async () => {
    const cases = [...FIXED_CASES, ...sample(hostileCase, 60)].map(build);
    const problems: string[] = [];
    const seen: Array<{ label: string; status: number; stallMs: number }> = [];
    const urls: Record<Endpoint, string> = {
      openrosa: `/key/${users.observer.token}/submission`,
      json: '/api/reports',
      multipart: '/api/reports',
    };
    for (const c of cases) {
      const headers: Record<string, string> = { 'content-type': c.contentType };
      if (c.endpoint !== 'openrosa') headers.authorization = `Bearer ${users.observer.token}`;
      const body = new Uint8Array(c.body); // built before the window opens: only the server's work is in it
      const probe = stallProbe();
      const request = fetch(s.url + urls[c.endpoint], { method: 'POST', body, headers }).then(
        async (r) => ({ status: r.status, text: (await r.text()).slice(0, 160) }),
        (err) => ({ status: 0, text: String(err) }),
      );
      // Sent while the request is in flight; the server owes it an answer however long the other takes.
      const health = fetch(`${s.url}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      const [answer, healthStatus] = await Promise.all([request, health]);
      const stallMs = probe.stop();
      seen.push({ label: c.label, status: answer.status, stallMs });
      if (answer.status >= 500 || answer.status === 0) problems.push(`${answer.status} ${answer.text} <- ${c.label}`);
      if (healthStatus !== 200) problems.push(`/healthz answered ${healthStatus} during ${c.label}`);
      if (stallMs > STALL_BOUND_MS)
        problems.push(`event loop held ${stallMs} ms by ${c.label} (answered ${answer.status})`);
    }
    expect(problems, `seed ${SEED}`).toEqual([]);
    // Refusals are most of the answers, but not all: some of these inputs are acceptable reports.
    expect(seen.some((c) => c.status >= 400 && c.status < 500)).toBe(true);
  }, 300_000);
});

describe('after the fuzz', () => {
  it("stays up and leaves nothing behind: no staged part, no evidence without its file, no stored file without its row past the sweep's grace, no report without its job", async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    // A valid report with a photo still goes through after all of it (and gives the checks below a file to find).
    const ok = await fetch(`${s.url}/api/reports`, {
      method: 'POST',
      body: reportForm(makeReport(), [{ data: jpeg, name: 'after.jpg', type: 'image/jpeg' }]),
      headers: { authorization: `Bearer ${users.observer.token}` },
    });
    expect(ok.status).toBe(201);
    // Every request has been answered: whatever it staged is removed then, not left for the sweep.
    await waitFor(
      'staged parts of answered requests to be removed',
      async () => (await listStore(s.rt.files.root)).staged.length === 0,
      30_000,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}: ${(await listStore(s.rt.files.root)).staged.join(' ')}`);
    });
    const [{ jobless }] = await s.rt.db.$queryRaw<Array<{ jobless: number }>>`
      SELECT count(*)::int AS jobless FROM "Report" r WHERE NOT EXISTS (SELECT 1 FROM "OutboxEvent" o WHERE o.payload->>'reportId' = r.id::text)`;
    expect(jobless, 'reports without their processing job').toBe(0);
    expect(await s.rt.db.attachment.count()).toBeGreaterThan(0);
    expect(await storeProblems(s.rt.db, s.rt.files, { orphans: false })).toEqual([]);
    // Files of refused submissions may wait for the sweep; once its grace has passed none is left, and no evidence goes.
    await sweepPastGrace(s.rt.db, s.rt.files);
    expect(await storeProblems(s.rt.db, s.rt.files, { orphans: true })).toEqual([]);
  });
});
