// The observer hears back: each report's progress in the observer's words, the commission's request for more
// information with its note, and the observer's answer (text and a photo) that reaches the incident's reviewers,
// is audited, and puts the incident back under review. Real server, workers, PostgreSQL and Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeJpeg, makeReport } from '../../helpers/factories.ts';
import { fileAndWaitProcessed } from '../../helpers/wait.ts';

let s: TestServer;
let observer: ReturnType<typeof bearer>;
let otherObserver: ReturnType<typeof bearer>;
let commission: ReturnType<typeof bearer>;
let report: { id: string; incidentId: string; progress: string };
let basic: string;

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  const user = await s.makeUser('observer');
  observer = bearer(s.url, user.token);
  basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  otherObserver = bearer(s.url, (await s.makeUser('observer')).token);
  commission = bearer(s.url, (await s.makeUser('commission')).token);
  report = await fileAndWaitProcessed(observer, makeReport());
});
afterAll(async () => {
  await s?.close();
});

const mine = async () =>
  (await observer.get('/api/reports')).body.items.find((r: { id: string }) => r.id === report.id);

describe("a report's progress, as the observer sees it", () => {
  it('is part of an incident once processed, then follows the review', async () => {
    expect(report.progress).toBe('in_incident');
    expect((await commission.patch(`/api/incidents/${report.incidentId}`, { state: 'under_review' })).status).toBe(200);
    expect((await mine()).progress).toBe('under_review');
  });

  it("shows the commission's request for more information with its note", async () => {
    const note = 'Which road exactly? A photo of the vehicles would help.';
    expect((await commission.patch(`/api/incidents/${report.incidentId}`, { state: 'needs_info', note })).status).toBe(
      200,
    );
    const r = await mine();
    expect(r.progress).toBe('needs_info');
    expect(r.infoRequest).toMatchObject({ note });
    expect(Date.parse(r.infoRequest.at)).not.toBeNaN();
  });
});

describe('adding to a sent report', () => {
  it('refuses an empty addition, naming the field, and hides other observers’ reports', async () => {
    const empty = await observer.post(`/api/reports/${report.id}/additions`, { text: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.issues[0].field).toBe('text');
    const foreign = await otherObserver.post(`/api/reports/${report.id}/additions`, { text: 'mine?' });
    expect(foreign.status).toBe(404);
    expect((await commission.post(`/api/reports/${report.id}/additions`, { text: 'x' })).status).toBe(403);
  });

  it('answers the request with text and a photo: stored, audited, seen by reviewers, incident back under review', async () => {
    const photo = await makeJpeg(3);
    const form = new FormData();
    form.append('text', 'The coastal road west of the Sirte gate, km 12. Photo attached.');
    form.append('attachments', new Blob([photo], { type: 'image/jpeg' }), 'road.jpg');
    const res = await observer.form(`/api/reports/${report.id}/additions`, form);
    expect(res.status).toBe(201);
    expect(res.body.report.additions).toEqual([
      expect.objectContaining({
        id: res.body.additionId,
        text: 'The coastal road west of the Sirte gate, km 12. Photo attached.',
        answersRequest: true,
        attachments: [expect.stringMatching(/^[0-9a-f]{64}$/)],
      }),
    ]);
    expect(res.body.report.attachments.map((a: { originalName: string }) => a.originalName)).toEqual(['road.jpg']);
    expect(res.body.report.progress).toBe('under_review');
    expect(res.body.report.infoRequest).toBeNull();

    // The incident's reviewers see the addition on the incident's reports, and the state change in its history.
    const members = (await commission.get(`/api/incidents/${report.incidentId}/reports`)).body.items;
    expect(members[0].additions[0].text).toContain('km 12');
    const incident = (await commission.get(`/api/incidents/${report.incidentId}`)).body;
    expect(incident.state).toBe('under_review');

    const audit = await s.rt.db.auditEvent.findMany({
      where: { OR: [{ entityId: report.id }, { entityId: report.incidentId }] },
      orderBy: { seq: 'asc' },
    });
    const last = audit.slice(-2).map((a) => [a.action, a.entityType, a.after]);
    expect(last).toEqual([
      ['report_addition', 'report', expect.objectContaining({ additionId: res.body.additionId, answersRequest: true })],
      [
        'incident_state_changed',
        'incident',
        expect.objectContaining({
          state: 'under_review',
          answeredBy: { reportId: report.id, additionId: res.body.additionId },
        }),
      ],
    ]);
  });

  it('a later note with no open request is kept as a plain addition and leaves the state alone', async () => {
    const res = await observer.post(`/api/reports/${report.id}/additions`, { text: 'الطريق أعيد فتحه صباح اليوم.' });
    expect(res.status).toBe(201);
    expect(res.body.report.additions.map((a: { answersRequest: boolean }) => a.answersRequest)).toEqual([true, false]);
    expect((await commission.get(`/api/incidents/${report.incidentId}`)).body.state).toBe('under_review');
  });
});

describe('answering from ODK Collect with the follow-up form', () => {
  const odk = (path: string, init: RequestInit = {}) =>
    fetch(`${s.url}${path}`, { ...init, headers: { authorization: basic, 'x-openrosa-version': '1.0' } });
  const followup = (reportId: string, instanceId: string, answer: string, photo = '') =>
    `<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" id="ceasefire_followup" version="x">` +
    `<report>${reportId}</report><answer>${answer}</answer><photos><photo>${photo}</photo></photos>` +
    `<orx:meta><orx:instanceID>uuid:${instanceId}</orx:instanceID></orx:meta></data>`;
  const send = (xml: string, files: Array<[string, Buffer]> = []) => {
    const form = new FormData();
    form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
    for (const [name, data] of files) form.append(name, new Blob([data], { type: 'image/jpeg' }), name);
    return odk('/submission', { method: 'POST', body: form });
  };
  let asked: { id: string; incidentId: string };

  beforeAll(async () => {
    asked = await fileAndWaitProcessed(
      observer,
      makeReport({ lat: 32.3754, lon: 15.0925, placeName: 'Misrata', narrative: 'Artillery fire near Misrata.' }),
    );
    await commission.patch(`/api/incidents/${asked.incidentId}`, { state: 'needs_info', note: 'How many rounds?' });
  });

  it("is listed beside the report form, with the observer's reports as choices, the one asked about first", async () => {
    const list = await (await odk('/formList')).text();
    expect(list).toContain('<formID>ceasefire_report</formID>');
    expect(list).toContain('<formID>ceasefire_followup</formID>');
    const xml = await (await odk('/forms/ceasefire_followup/form.xml')).text();
    const values = [...xml.matchAll(/<value>([0-9a-f-]{36})<\/value>/g)].map((m) => m[1]);
    expect(values[0]).toBe(asked.id);
    expect(values).toContain(report.id);
    expect(xml).toMatch(/Misrata · [^<]* · MORE INFORMATION NEEDED/);
    expect(xml).toContain('مطلوب مزيد من المعلومات');
  });

  it('adds the answer and photo to the chosen report once, however often Collect resends it', async () => {
    const instanceId = randomUUID();
    const xml = followup(asked.id, instanceId, 'About twenty rounds, from the south.', 'r.jpg');
    const photo = await makeJpeg(9);
    expect((await send(xml, [['r.jpg', photo]])).status).toBe(201);
    expect((await send(xml, [['r.jpg', photo]])).status).toBe(201);
    const r = (await observer.get(`/api/reports/${asked.id}`)).body;
    expect(r.additions).toHaveLength(1);
    expect(r.additions[0]).toMatchObject({ text: 'About twenty rounds, from the south.', answersRequest: true });
    expect(r.attachments.map((a: { originalName: string }) => a.originalName)).toEqual(['r.jpg']);
    expect(r.progress).toBe('under_review');
  });

  it("refuses another observer's report as missing and an empty answer naming the form's question", async () => {
    const empty = await send(followup(asked.id, randomUUID(), ''));
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('answer');
    const other = await s.makeUser('observer');
    const form = new FormData();
    form.append(
      'xml_submission_file',
      new Blob([followup(asked.id, randomUUID(), 'not mine')], { type: 'text/xml' }),
      'submission.xml',
    );
    const res = await fetch(`${s.url}/submission`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${other.username}:${other.password}`).toString('base64')}` },
      body: form,
    });
    expect(res.status).toBe(404);
  });
});
