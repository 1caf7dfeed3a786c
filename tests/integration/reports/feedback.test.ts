// The observer hears back: each report's progress in the observer's words, the commission's request for more
// information with its note, and the observer's answer (text and a photo) that reaches the incident's reviewers,
// is audited, and puts the incident back under review. Real server, workers, PostgreSQL and Redis.
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

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  observer = bearer(s.url, (await s.makeUser('observer')).token);
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
