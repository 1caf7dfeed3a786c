import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, PDF_BYTES, reportForm } from '../../helpers/factories.ts';

let s: TestServer;
let observer: TestUser;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  await s.close();
});

const counts = async () => ({
  reports: await s.rt.db.report.count(),
  attachments: await s.rt.db.attachment.count(),
  outbox: await s.rt.db.outboxEvent.count(),
});

describe('POST /api/reports (JSON)', () => {
  it('stores the report, its outbox job, and answers 201 with the report', async () => {
    const before = await counts();
    const input = makeReport({ casualties: { killed: 0, injured: 2 } });
    const res = await bearer(s.url, observer.token).post('/api/reports', input);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      clientId: input.clientId,
      observerId: observer.user.id,
      status: 'received',
      narrative: input.narrative,
      casualties: { killed: 0, injured: 2 },
    });
    expect(res.headers.get('location')).toBe(`/api/reports/${res.body.id}`);
    const after = await counts();
    expect(after.reports - before.reports).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
    const job = await s.rt.db.outboxEvent.findFirst({ orderBy: { id: 'desc' } });
    expect(job?.payload).toEqual({ reportId: res.body.id });
  });

  it('takes the author from the login, never from the body', async () => {
    const res = await bearer(s.url, observer.token).post('/api/reports', { ...makeReport(), observerId: randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.error.issues[0].reason).toMatch(/unrecognized/i);
  });

  it('accepts a report located only by a place name, in Arabic', async () => {
    const res = await bearer(s.url, observer.token).post(
      '/api/reports',
      makeReport({
        lat: undefined,
        lon: undefined,
        accuracyM: undefined,
        placeName: 'سرت',
        narrative: 'سقوط قذائف مدفعية جنوب المدينة',
      }),
    );
    expect(res.status).toBe(201);
    expect(res.body.lat).toBeNull();
    expect(res.body.placeName).toBe('سرت');
  });

  it('returns the same report for a retry with the same clientId and content', async () => {
    const input = makeReport();
    const first = await bearer(s.url, observer.token).post('/api/reports', input);
    // The same instant written with another offset is the same content.
    const again = await bearer(s.url, observer.token).post('/api/reports', {
      ...input,
      observedAt: '2020-11-14T03:40:00Z',
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await s.rt.db.report.count({ where: { clientId: input.clientId as string } })).toBe(1);
    expect(await s.rt.db.outboxEvent.count({ where: { payload: { equals: { reportId: first.body.id } } } })).toBe(1);
  });

  it('creates exactly one report when retries race each other', async () => {
    const input = makeReport();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => bearer(s.url, observer.token).post('/api/reports', input)),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await s.rt.db.report.count({ where: { clientId: input.clientId as string } })).toBe(1);
    expect(await s.rt.db.outboxEvent.count({ where: { payload: { equals: { reportId: results[0]!.body.id } } } })).toBe(
      1,
    );
  });

  it('answers 409 when a clientId is reused for other content, and keeps the first report', async () => {
    const input = makeReport();
    const first = await bearer(s.url, observer.token).post('/api/reports', input);
    const changed = await bearer(s.url, observer.token).post('/api/reports', {
      ...input,
      narrative: 'something else entirely',
    });
    expect(changed.status).toBe(409);
    expect(changed.body.error.reportId).toBe(first.body.id);
    const stored = await s.rt.db.report.findUnique({ where: { id: first.body.id } });
    expect(stored?.narrative).toBe(input.narrative);
  });

  it('lets two observers use the same clientId independently', async () => {
    const other = await s.makeUser('observer');
    const input = makeReport();
    const a = await bearer(s.url, observer.token).post('/api/reports', input);
    const b = await bearer(s.url, other.token).post('/api/reports', input);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
  });
});

describe('POST /api/reports rejections name the field and store nothing', () => {
  const cases: Array<[string, Record<string, unknown> | string, number, string]> = [
    [
      'missing location',
      makeReport({ lat: undefined, lon: undefined, accuracyM: undefined, placeName: undefined }),
      422,
      'placeName',
    ],
    ['lat without lon', makeReport({ lon: undefined }), 422, 'lon'],
    ['latitude out of range', makeReport({ lat: 123 }), 422, 'lat'],
    ['bad clientId', makeReport({ clientId: 'abc' }), 422, 'clientId'],
    ['date without offset', makeReport({ observedAt: '2020-11-14 05:40' }), 422, 'observedAt'],
    ['unknown party', makeReport({ partyAlleged: 'NATO' }), 422, 'partyAlleged'],
    ['empty narrative', makeReport({ narrative: '   ' }), 422, 'narrative'],
    ['negative casualties', makeReport({ casualties: { killed: -1 } }), 422, 'casualties.killed'],
    ['wrong type', makeReport({ lat: '31.2' }), 422, 'lat'],
    ['a NUL character', makeReport({ narrative: 'shelling\u0000 at dawn' }), 422, 'narrative'],
    ['half of a UTF-16 pair', makeReport({ placeName: 'Sirte \ud83d' }), 422, 'placeName'],
    ['a narrative nobody writes', makeReport({ narrative: 'x'.repeat(60_000) }), 413, 'narrative'],
  ];
  it.each(cases)('%s', async (_name, body, status, field) => {
    const before = await counts();
    const res = await bearer(s.url, observer.token).post('/api/reports', body);
    expect(res.status).toBe(status);
    expect(res.body.error.issues.map((i: { field: string }) => i.field)).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('malformed JSON is a 400', async () => {
    const res = await bearer(s.url, observer.token).raw('/api/reports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"clientId": ',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].field).toBe('(body)');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an unsupported body type is a 415', async () => {
    const res = await bearer(s.url, observer.token).raw('/api/reports', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(415);
  });
});

describe('POST /api/reports (multipart with attachments)', () => {
  it('stores photos and documents by content, with EXIF time and position', async () => {
    const photo = await makeJpeg(1, { exif: { takenAt: '2020:11:14 05:38:00', lat: 31.2, lon: 16.59 } });
    const input = makeReport({ casualties: { injured: 3 } });
    const res = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(input, [
        { data: photo, name: 'IMG_0001.jpg', type: 'image/jpeg' },
        { data: PDF_BYTES, name: 'statement.pdf', type: 'application/pdf' },
      ]),
    );
    expect(res.status).toBe(201);
    expect(res.body.casualties).toEqual({ injured: 3 });
    expect(res.body.lat).toBe(31.205);
    const byMime = (m: string) => res.body.attachments.find((a: { mime: string }) => a.mime === m);
    const jpg = byMime('image/jpeg');
    const pdf = byMime('application/pdf');
    expect(jpg).toMatchObject({ mime: 'image/jpeg', originalName: 'IMG_0001.jpg', sizeBytes: photo.length });
    expect(jpg.exifLat).toBeCloseTo(31.2, 3);
    expect(jpg.exifLon).toBeCloseTo(16.59, 3);
    expect(jpg.exifTakenAt).toMatch(/^2020-11-14T/);
    expect(pdf).toMatchObject({ mime: 'application/pdf', originalName: 'statement.pdf' });
    expect(await s.rt.files.exists(jpg.sha256)).toBe(true);
  });

  it('decides the type by content: a PNG named .pdf is stored as PNG; a script named .jpg is refused', async () => {
    const png = await (
      await import('sharp')
    )
      .default({ create: { width: 4, height: 4, channels: 3, background: 'blue' } })
      .png()
      .toBuffer();
    const ok = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(makeReport(), [{ data: png, name: 'scan.pdf', type: 'application/pdf' }]),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.attachments[0].mime).toBe('image/png');
    const before = await counts();
    const bad = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(makeReport(), [{ data: Buffer.from('#!/bin/sh\nrm -rf /\n'), name: 'photo.jpg', type: 'image/jpeg' }]),
    );
    expect(bad.status).toBe(415);
    expect(bad.body.error.issues[0].field).toBe('attachments[0]');
    expect(await counts()).toEqual(before);
  });

  it('keeps only the base name of a path-like file name', async () => {
    const res = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(makeReport(), [{ data: await makeJpeg(2), name: '../../etc/passwd.jpg' }]),
    );
    expect(res.status).toBe(201);
    expect(res.body.attachments[0].originalName).toBe('passwd.jpg');
  });

  it('refuses too many or too large files with 413 and stores nothing', async () => {
    const small = await startTestServer({ relay: false, env: { MAX_ATTACHMENTS: '2', MAX_ATTACHMENT_BYTES: '2048' } });
    try {
      const o = await small.makeUser('observer');
      const many = await bearer(small.url, o.token).form(
        '/api/reports',
        reportForm(
          makeReport(),
          [1, 2, 3].map((i) => ({ data: PDF_BYTES, name: `${i}.pdf` })),
        ),
      );
      expect(many.status).toBe(413);
      const big = await bearer(small.url, o.token).form(
        '/api/reports',
        reportForm(makeReport(), [{ data: Buffer.concat([PDF_BYTES, Buffer.alloc(4096)]), name: 'big.pdf' }]),
      );
      expect(big.status).toBe(413);
      expect(big.body.error.issues[0].field).toBe('attachments');
      expect(await small.rt.db.report.count()).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('a retry that brings a missing attachment adds it to the same report', async () => {
    const input = makeReport();
    const first = await bearer(s.url, observer.token).form('/api/reports', reportForm(input));
    const photo = await makeJpeg(3);
    const again = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(input, [{ data: photo, name: 'late.jpg' }]),
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.attachments).toHaveLength(1);
    const audit = await s.rt.db.auditEvent.findMany({ where: { action: 'evidence_added', entityId: first.body.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: observer.user.id,
      after: { attachments: [expect.objectContaining({ originalName: 'late.jpg' })] },
    });
    // The same evidence once more: nothing added, nothing audited.
    const third = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(input, [{ data: photo, name: 'late.jpg' }]),
    );
    expect(third.status).toBe(200);
    expect(third.body.attachments).toHaveLength(1);
    expect(await s.rt.db.auditEvent.count({ where: { action: 'evidence_added', entityId: first.body.id } })).toBe(1);
  });

  it('retries cannot grow a report past the attachment limit, even racing each other', async () => {
    const small = await startTestServer({ env: { MAX_ATTACHMENTS: '3' } });
    try {
      const o = await small.makeUser('observer');
      const input = makeReport();
      const photos = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => makeJpeg(100 + i)));
      const first = await bearer(small.url, o.token).form(
        '/api/reports',
        reportForm(input, [
          { data: photos[0]!, name: 'a.jpg' },
          { data: photos[1]!, name: 'b.jpg' },
        ]),
      );
      expect(first.status).toBe(201);
      // Four retries at once, each bringing one new photo: only one fits under the limit of 3.
      const retries = await Promise.all(
        photos
          .slice(2)
          .map((p, i) =>
            bearer(small.url, o.token).form('/api/reports', reportForm(input, [{ data: p, name: `r${i}.jpg` }])),
          ),
      );
      expect(retries.map((r) => r.status).sort()).toEqual([200, 413, 413, 413]);
      expect(retries.find((r) => r.status === 413)!.body.error.issues[0]).toMatchObject({
        field: 'attachments',
        reason: expect.stringMatching(/^at most 3 files per report \([23] already stored\)$/),
      });
      expect(await small.rt.db.attachment.count({ where: { reportId: first.body.id } })).toBe(3);
    } finally {
      await small.close();
    }
  });

  it('a retry cannot add evidence once the incident is decided', async () => {
    const input = makeReport();
    const first = await bearer(s.url, observer.token).post('/api/reports', input);
    const incident = await s.rt.db.incident.create({
      data: { state: 'rejected', firstObservedAt: new Date(), lastObservedAt: new Date() },
    });
    await s.rt.db.report.update({ where: { id: first.body.id }, data: { incidentId: incident.id } });
    const late = await bearer(s.url, observer.token).form(
      '/api/reports',
      reportForm(input, [{ data: await makeJpeg(9), name: 'late.jpg' }]),
    );
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/already rejected/);
    expect(await s.rt.db.attachment.count({ where: { reportId: first.body.id } })).toBe(0);
    // Without new files the retry is still the plain idempotent answer.
    expect((await bearer(s.url, observer.token).post('/api/reports', input)).status).toBe(200);
  });
});

describe('reading reports', () => {
  it('observers see only their own; the commission sees all', async () => {
    const mine = await s.makeUser('observer');
    const theirs = await s.makeUser('observer');
    const commission = await s.makeUser('commission');
    const a = await bearer(s.url, mine.token).post('/api/reports', makeReport());
    const b = await bearer(s.url, theirs.token).post('/api/reports', makeReport());
    const list = await bearer(s.url, mine.token).get('/api/reports');
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([a.body.id]);
    expect((await bearer(s.url, mine.token).get(`/api/reports/${b.body.id}`)).status).toBe(404);
    expect((await bearer(s.url, mine.token).get(`/api/reports/${a.body.id}`)).body.status).toBe('received');
    const all = await bearer(s.url, commission.token).get('/api/reports?limit=200');
    const ids = all.body.items.map((r: { id: string }) => r.id);
    expect(ids).toContain(a.body.id);
    expect(ids).toContain(b.body.id);
  });

  it('paginates with a cursor and filters by time, place and status', async () => {
    const o = await s.makeUser('observer');
    const c = await s.makeUser('commission');
    for (let i = 0; i < 5; i++) {
      await bearer(s.url, o.token).post(
        '/api/reports',
        makeReport({ observedAt: `2020-12-0${i + 1}T10:00:00Z`, placeName: i % 2 ? 'Misrata' : 'Sirte' }),
      );
    }
    const p1 = await bearer(s.url, o.token).get('/api/reports?limit=2');
    const p2 = await bearer(s.url, o.token).get(`/api/reports?limit=2&cursor=${p1.body.nextCursor}`);
    const p3 = await bearer(s.url, o.token).get(`/api/reports?limit=2&cursor=${p2.body.nextCursor}`);
    const seen = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((r: { id: string }) => r.id);
    expect(new Set(seen).size).toBe(5);
    expect(p3.body.nextCursor).toBeNull();
    const ranged = await bearer(s.url, o.token).get('/api/reports?from=2020-12-02T00:00:00Z&to=2020-12-04T00:00:00Z');
    expect(ranged.body.items).toHaveLength(2);
    const misrata = await bearer(s.url, c.token).get(
      `/api/reports?place=misrata&observerId=${s.rt.custodySigner.pseudonym(o.user.id)}`,
    );
    expect(misrata.body.items).toHaveLength(2);
    const received = await bearer(s.url, o.token).get('/api/reports?status=processed');
    expect(received.body.items).toHaveLength(0);
    expect((await bearer(s.url, o.token).get('/api/reports?cursor=nonsense')).status).toBe(400);
    expect((await bearer(s.url, o.token).get('/api/reports?limit=0')).status).toBe(400);
  });
});
