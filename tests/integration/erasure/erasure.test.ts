// Erasure and retention against the real services: an admin erases a report filed through the API and processed by
// the workers; its narrative and files go (a file another report cites stays), a tombstone and an audit row stay,
// the audit chain still verifies (with npm run audit:verify too), the incident, exports, digests and custody package
// agree with what is left. The retention job erases what the configured rules make due, and nothing else.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { utimes } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../src/audit/index.ts';
import { thumbnailPath } from '../../../src/attachments/service.ts';
import { buildManifest } from '../../../src/custody/index.ts';
import { sweepOrphanFiles } from '../../../src/storage/sweep.ts';
import { JOBS, QUEUES } from '../../../src/queue/names.ts';
import { registerSchedules, RETENTION_SCHEDULER } from '../../../src/queue/schedules.ts';
import { bearer } from '../../helpers/http.ts';
import {
  collectSubmission,
  insertIncidentWithReports,
  makeJpeg,
  reportForm,
  shellingAr,
  shellingEn,
} from '../../helpers/factories.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
let admin: TestUser;
let en: { id: string; attachments: Array<{ id: string; sha256: string }> };
let ar: { id: string; attachments: Array<{ id: string; sha256: string }> };
let incidentId: string;
let onlyEn: string; // a photo only the English report has
let shared: string; // a photo both reports have

const HOURS_AGO = (h: number) => new Date(Date.now() - h * 3600_000);
/** Files written long ago, as those of any report old enough to be erased are. */
const age = (sha256: string) => utimes(s.rt.files.pathOf(sha256), HOURS_AGO(3), HOURS_AGO(3));

async function file(body: Record<string, unknown>, photos: Buffer[]) {
  const r = await bearer(s.url, observer.token).form(
    '/api/reports',
    reportForm(
      body,
      photos.map((data, i) => ({ data, name: `IMG_${i}.jpg` })),
    ),
  );
  expect(r.status).toBe(201);
  return r.body;
}
const processed = (id: string) =>
  waitFor(async () => {
    const r = await s.rt.db.report.findUnique({ where: { id } });
    return r?.status === 'processed' ? r : null;
  }, `report ${id} processed`);
const erase = (user: TestUser, id: string, body: unknown = { reason: 'Observer asked for it (ticket 42)' }) =>
  bearer(s.url, user.token).post(`/api/reports/${id}/erasure`, body);

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  [observer, member, admin] = await Promise.all([
    s.makeUser('observer'),
    s.makeUser('commission'),
    s.makeUser('admin'),
  ]);
  const [p1, p2] = await Promise.all([makeJpeg(41), makeJpeg(42)]);
  en = await file(shellingEn(), [p1, p2]);
  await processed(en.id);
  ar = await file(shellingAr(), [p2]);
  incidentId = (await processed(ar.id)).incidentId!;
  expect((await s.rt.db.report.findUniqueOrThrow({ where: { id: en.id } })).incidentId).toBe(incidentId);
  shared = ar.attachments[0]!.sha256;
  onlyEn = en.attachments.find((a) => a.sha256 !== shared)!.sha256;
  await Promise.all([age(onlyEn), age(shared)]);
});
afterAll(async () => {
  await s?.close();
});

describe('POST /api/reports/:id/erasure', () => {
  let auditBefore: Array<{ seq: bigint; hash: string }>;

  it("wants a reason (422), and is the admins' alone (403 for the commission)", async () => {
    expect((await erase(admin, en.id, {})).status).toBe(422);
    expect((await erase(admin, en.id, { reason: 'x' })).status).toBe(422);
    expect((await erase(member, en.id)).status).toBe(403);
  });

  it('removes the report, its narrative and its files, and answers with the tombstone', async () => {
    const thumb = await bearer(s.url, member.token).get(
      `/api/attachments/${en.attachments.find((a) => a.sha256 === onlyEn)!.id}/thumbnail`,
    );
    expect(thumb.status).toBe(200);
    auditBefore = await s.rt.db.auditEvent.findMany({ select: { seq: true, hash: true }, orderBy: { seq: 'asc' } });
    const r = await erase(admin, en.id);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      reportId: en.id,
      incidentId,
      erasedById: admin.user.id,
      trigger: 'request',
      reason: 'Observer asked for it (ticket 42)',
      files: 2,
    });
    expect((await bearer(s.url, member.token).get(`/api/reports/${en.id}`)).status).toBe(404);
    expect(await s.rt.db.report.findUnique({ where: { id: en.id } })).toBeNull();
    expect(await s.rt.db.attachment.count({ where: { reportId: en.id } })).toBe(0);
    const tomb = await s.rt.db.reportErasure.findUniqueOrThrow({ where: { reportId: en.id } });
    expect(JSON.stringify(tomb)).not.toContain('Artillery');
    // The file only this report cited is gone, with its thumbnail; the one the Arabic report cites stays.
    expect(await s.rt.files.exists(onlyEn)).toBe(false);
    await expect(import('node:fs/promises').then((f) => f.stat(thumbnailPath(s.rt.files, onlyEn)))).rejects.toThrow();
    expect(await s.rt.files.exists(shared)).toBe(true);
    expect((await bearer(s.url, member.token).get(`/api/attachments/${ar.attachments[0]!.id}`)).status).toBe(200);
  });

  it('keeps the audit chain intact: earlier rows untouched, one row added, audit:verify passes', async () => {
    const after = await s.rt.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(after.slice(0, auditBefore.length).map((r) => ({ seq: r.seq, hash: r.hash }))).toEqual(auditBefore);
    const added = after.slice(auditBefore.length);
    expect(added.map((r) => r.action)).toEqual(['report_erased']);
    expect(added[0]).toMatchObject({ actorName: admin.username, entityType: 'report', entityId: en.id });
    expect((await verifyAuditChain(s.rt.db)).ok).toBe(true);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], {
      env: { ...process.env, DATABASE_URL: s.config.DATABASE_URL },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/audit chain intact/);
  });

  it('recomputes the incident from the report left', async () => {
    const i = await s.rt.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
    expect(i).toMatchObject({ reportCount: 1, languages: ['ar'] });
    expect(i.firstObservedAt.toISOString()).toBe('2020-11-14T05:30:00.000Z');
  });

  it('is idempotent: the same tombstone again (200), no second audit row', async () => {
    const again = await erase(admin, en.id);
    expect(again.status).toBe(200);
    expect(again.body.reportId).toBe(en.id);
    expect(await s.rt.db.auditEvent.count({ where: { action: 'report_erased', entityId: en.id } })).toBe(1);
    expect((await erase(admin, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('exports and a digest compiled afterwards agree with what is left', async () => {
    const api = bearer(s.url, member.token);
    const reports = parse((await api.get('/api/exports/reports.csv')).text, { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    expect(reports.map((r) => r.id)).toEqual([ar.id]);
    const incidents = parse((await api.get('/api/exports/incidents.csv')).text, { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    expect(incidents.find((r) => r.id === incidentId)?.reportCount).toBe('1');
    const made = await api.post('/api/digests', { from: '2020-11-09', to: '2020-11-15' });
    expect(made.status).toBe(201);
    const digest = (await api.get(`/api/digests/${made.body.id}`)).body;
    expect(digest.totals).toMatchObject({ incidents: 1, reports: 1 });
    expect(digest.totals.reportsByLanguage).toEqual({ ar: 1 });
  });

  it("shows in the incident's custody package as a tombstone with its erasure row", async () => {
    const { manifest } = await buildManifest(
      { db: s.rt.db, clock: s.rt.clock, files: s.rt.files, signer: s.rt.custodySigner },
      member.user,
      incidentId,
    );
    expect(manifest.reports.map((r) => r.id)).toEqual([ar.id]);
    expect(manifest.erased).toEqual([
      expect.objectContaining({ id: en.id, reason: 'Observer asked for it (ticket 42)', trigger: 'request' }),
    ]);
    expect(manifest.audit.rows.some((r) => r.action === 'report_erased' && r.entityId === en.id)).toBe(true);
  });

  it('erasing the last report empties the incident: out of the queue, exports and digests; the last file goes', async () => {
    expect((await erase(admin, ar.id)).status).toBe(201);
    expect(await s.rt.files.exists(shared)).toBe(false);
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).reportCount).toBe(0);
    const api = bearer(s.url, member.token);
    expect((await api.get('/api/incidents')).body.items.map((i: { id: string }) => i.id)).not.toContain(incidentId);
    expect((await api.get('/api/exports/incidents.csv')).text).not.toContain(incidentId);
    const made = await api.post('/api/digests', { from: '2020-11-09', to: '2020-11-15' });
    expect((await api.get(`/api/digests/${made.body.id}`)).body.totals).toMatchObject({ incidents: 0, reports: 0 });
    // Its page and history remain.
    expect((await api.get(`/api/incidents/${incidentId}`)).status).toBe(200);
  });

  it('leaves a file written within the grace period to the orphan sweep', async () => {
    const photo = await makeJpeg(43);
    const r = await file({ ...shellingEn(), clientId: crypto.randomUUID() }, [photo]);
    expect((await erase(admin, r.id)).status).toBe(201);
    const sha = r.attachments[0].sha256;
    expect(await s.rt.files.exists(sha)).toBe(true);
    await sweepOrphanFiles(s.rt.db, s.rt.files, { now: new Date(Date.now() + 2 * 3600_000), olderThanMs: 3600_000 });
    expect(await s.rt.files.exists(sha)).toBe(false);
  });
});

describe('an edited report', () => {
  it('leaves none of its text behind: not the earlier versions kept as filed, nor the audit rows of the edit or of an addition', async () => {
    const FIRST = 'Mortar rounds fell near the Wadi Zamzam bridge at 04:10, one shepherd wounded.';
    const EDITED = 'Mortar rounds fell near the Wadi Zamzam bridge at 04:10; two shepherds wounded, one critically.';
    const basic = `Basic ${Buffer.from(`${observer.username}:${observer.password}`).toString('base64')}`;
    const send = (xml: string) => {
      const form = new FormData();
      form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
      return fetch(`${s.url}/submission`, { method: 'POST', headers: { authorization: basic }, body: form });
    };
    const first = randomUUID();
    const sent = await send(
      collectSubmission({ narrative: FIRST, photo: '', place_name: 'Wadi Zamzam' }, { instanceId: first }),
    );
    expect(sent.status).toBe(201);
    const id = (sent.headers.get('location') ?? '').split('/').pop()!;
    await processed(id);
    const edit = await send(
      collectSubmission(
        { narrative: EDITED, photo: '', place_name: 'Wadi Zamzam bridge' },
        { instanceId: randomUUID(), deprecatedId: first },
      ),
    );
    expect(edit.status).toBe(201);
    expect(await s.rt.db.reportVersion.count({ where: { reportId: id } })).toBe(1);
    // What the observer added later is the report's too.
    const added = await bearer(s.url, observer.token).post(`/api/reports/${id}/additions`, {
      text: 'Mortar rounds again at Wadi Zamzam the next night.',
    });
    expect(added.status, added.text).toBe(201);

    expect((await erase(admin, id)).status).toBe(201);
    expect(await s.rt.db.reportVersion.count({ where: { reportId: id } })).toBe(0);
    const rows = JSON.stringify(
      await s.rt.db.auditEvent.findMany({ where: { entityId: id }, select: { before: true, after: true } }),
    );
    for (const text of ['Mortar rounds', 'Wadi Zamzam']) expect(rows).not.toContain(text);
    expect((await verifyAuditChain(s.rt.db)).ok).toBe(true);
  });
});

describe('retention', () => {
  let r2: TestServer;
  beforeAll(async () => {
    r2 = await startTestServer({
      workers: true,
      env: { RETENTION_REJECTED_DAYS: '30', RETENTION_UNRELATED_DAYS: '90' },
    });
  });
  afterAll(async () => {
    await r2?.close();
  });

  it('registers its schedule only when a rule is configured', async () => {
    await registerSchedules(r2.rt.queues, r2.config);
    const q = r2.rt.queues.get(QUEUES.retention)!;
    expect(await q.getJobScheduler(RETENTION_SCHEDULER)).toMatchObject({ pattern: '15 3 * * *' });
    await registerSchedules(r2.rt.queues, {
      ...r2.config,
      RETENTION_REJECTED_DAYS: undefined,
      RETENTION_UNRELATED_DAYS: undefined,
      NOTICE_READ_RETENTION_DAYS: 0,
    });
    expect(await q.getJobScheduler(RETENTION_SCHEDULER)).toBeFalsy();
    // Read notices alone (90 days by default) are a rule too.
    await registerSchedules(r2.rt.queues, {
      ...r2.config,
      RETENTION_REJECTED_DAYS: undefined,
      RETENTION_UNRELATED_DAYS: undefined,
      NOTICE_READ_RETENTION_DAYS: 90,
    });
    expect(await q.getJobScheduler(RETENTION_SCHEDULER)).toMatchObject({ pattern: '15 3 * * *' });
  });

  it('the job erases reports of long-rejected incidents and old unrelated ones, and nothing else', async () => {
    const o = await r2.makeUser('observer');
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const oldRejected = await insertIncidentWithReports(r2.rt.db, o.user.id, [{}, {}], {
      state: 'rejected',
      stateChangedAt: days(31),
    });
    const newlyRejected = await insertIncidentWithReports(r2.rt.db, o.user.id, [{ receivedAt: days(400) }], {
      state: 'rejected',
      stateChangedAt: days(2),
    });
    const unrelated = { terms: ['none'], stance: 'information' as const };
    const oldUnrelated = await insertIncidentWithReports(r2.rt.db, o.user.id, [{ ...unrelated, receivedAt: days(91) }]);
    const recentUnrelated = await insertIncidentWithReports(r2.rt.db, o.user.id, [
      { ...unrelated, receivedAt: days(10) },
    ]);
    const verifiedUnrelated = await insertIncidentWithReports(
      r2.rt.db,
      o.user.id,
      [{ ...unrelated, receivedAt: days(200) }],
      { state: 'verified' },
    );
    const job = await r2.rt.queues.get(QUEUES.retention)!.add(JOBS.applyRetention, {});
    const done = await waitFor(async () => ((await job.isCompleted()) ? job : null), 'the retention job');
    expect((await r2.rt.queues.get(QUEUES.retention)!.getJob(done.id!))?.returnvalue).toEqual({
      erased: 3,
      noticesDeleted: 0,
    });

    const erased = await r2.rt.db.reportErasure.findMany({ orderBy: { reportId: 'asc' } });
    expect(erased.map((t) => t.reportId).sort()).toEqual([...oldRejected.reportIds, ...oldUnrelated.reportIds].sort());
    expect(erased.every((t) => t.trigger === 'retention' && t.erasedById === null)).toBe(true);
    expect(erased.find((t) => t.reportId === oldUnrelated.reportIds[0])!.reason).toMatch(/unrelated.*90 days/);
    const kept = [...newlyRejected.reportIds, ...recentUnrelated.reportIds, ...verifiedUnrelated.reportIds];
    expect(await r2.rt.db.report.count({ where: { id: { in: kept } } })).toBe(kept.length);
    const rows = await r2.rt.db.auditEvent.findMany({ where: { action: 'report_erased' } });
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.actorName === 'retention' && r.actorId === null)).toBe(true);
    expect((await verifyAuditChain(r2.rt.db)).ok).toBe(true);
    expect((await r2.rt.db.incident.findUniqueOrThrow({ where: { id: oldRejected.id } })).reportCount).toBe(0);

    // A second pass finds nothing more to do.
    const again = await r2.rt.queues.get(QUEUES.retention)!.add(JOBS.applyRetention, {});
    await waitFor(async () => ((await again.isCompleted()) ? again : null), 'the second retention job');
    expect(await r2.rt.db.reportErasure.count()).toBe(3);
  });
});
