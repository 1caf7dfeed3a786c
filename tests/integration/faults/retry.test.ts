// The same submission retried concurrently — a phone on a flaky link resending before the first answer
// arrived, through any of the three intake doors at once — makes exactly one report with its evidence once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport, reportForm } from '../../helpers/factories.ts';
import { collectXml } from '../../../bench/fixtures.ts';

let s: TestServer;
let observer: TestUser;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  observer = await s.makeUser('observer');
});
afterAll(async () => {
  await s.close();
});

async function stored(clientId: string) {
  const reports = await s.rt.db.report.findMany({ where: { clientId }, include: { attachments: true } });
  const jobs = reports.length
    ? await s.rt.db.outboxEvent.count({ where: { payload: { equals: { reportId: reports[0]!.id } } } })
    : 0;
  return { reports, jobs };
}

function openRosaForm(r: Record<string, unknown>, photo: Buffer, name: string): FormData {
  const form = new FormData();
  form.append('xml_submission_file', new Blob([collectXml(r, name)], { type: 'text/xml' }), 'submission.xml');
  form.append(name, new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), name);
  return form;
}

describe('concurrent retries of one submission', () => {
  it('multipart with a photo, sent 10 times at once: one report, one attachment, one job', async () => {
    const input = makeReport();
    const photo = await makeJpeg(4242);
    const api = bearer(s.url, observer.token);
    const res = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.form('/api/reports', reportForm(input, [{ data: photo, name: 'p.jpg', type: 'image/jpeg' }])),
      ),
    );
    expect(res.filter((r) => r.status === 201)).toHaveLength(1);
    expect(res.filter((r) => r.status === 200)).toHaveLength(9);
    const { reports, jobs } = await stored(input.clientId as string);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.attachments).toHaveLength(1);
    expect(jobs).toBe(1);
  });

  it('JSON and multipart of the same report racing: one report, and the photo a retry brings is added once', async () => {
    const input = makeReport();
    const photo = await makeJpeg(777);
    const api = bearer(s.url, observer.token);
    const res = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2
          ? api.post('/api/reports', input)
          : api.form('/api/reports', reportForm(input, [{ data: photo, name: 'p.jpg', type: 'image/jpeg' }])),
      ),
    );
    for (const r of res) expect([200, 201]).toContain(r.status);
    expect(res.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(res.map((r) => r.body.id)).size).toBe(1);
    const { reports } = await stored(input.clientId as string);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.attachments.map((a) => a.originalName)).toEqual(['p.jpg']);
  });

  it('ODK Collect resending one instance 8 times at once (key URL): one report with its photo', async () => {
    const input = makeReport();
    const photo = await makeJpeg(9001);
    const name = '1605331200999.jpg';
    const send = () =>
      fetch(`${s.url}/key/${observer.token}/submission`, {
        method: 'POST',
        headers: { 'x-openrosa-version': '1.0' },
        body: openRosaForm(input, photo, name),
      });
    const res = await Promise.all(Array.from({ length: 8 }, send));
    // Collect only marks a form sent on 201, so a repeat is 201 too.
    expect(res.map((r) => r.status)).toEqual(Array(8).fill(201));
    const { reports, jobs } = await stored(input.clientId as string);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.source).toBe('openrosa');
    expect(reports[0]!.attachments.map((a) => a.originalName)).toEqual([name]);
    expect(jobs).toBe(1);
  });
});
