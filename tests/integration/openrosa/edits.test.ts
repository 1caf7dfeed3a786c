// ODK Collect (2025.2 and later) can edit a sent form: the edit arrives with its own instanceID and a deprecatedID
// naming the instance it replaces. Over real HTTP, PostgreSQL, Redis and workers: it becomes a new version of the
// report (processed again), the earlier version is kept as filed, the edit is audited, a resend changes nothing,
// an edit of the edit chains on, and an edit of a report the observer never sent is filed rather than refused.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJpeg, collectSubmission } from '../../helpers/factories.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: TestServer;
let observer: TestUser;
let other: TestUser;
let member: TestUser;
let jpeg: Buffer;
const basic = (u: TestUser) => `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}`;

beforeAll(async () => {
  s = await startTestServer({ workers: true });
  observer = await s.makeUser('observer');
  other = await s.makeUser('observer');
  member = await s.makeUser('commission');
  jpeg = await makeJpeg(11);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

function body(xml: string, files: Array<[string, Buffer]> = []): FormData {
  const form = new FormData();
  form.append('xml_submission_file', new Blob([xml], { type: 'text/xml' }), 'submission.xml');
  for (const [name, data] of files) form.append(name, new Blob([data], { type: 'image/jpeg' }), name);
  return form;
}
const submit = (xml: string, who = observer, files: Array<[string, Buffer]> = []) =>
  fetch(`${s.url}/submission`, { method: 'POST', headers: { authorization: basic(who) }, body: body(xml, files) });

const CONVOY = 'Convoy of 12 technicals moving west toward Abu Grein on the coastal road.';
const SHELLING = 'Correction: not a convoy. Artillery shelling hit houses east of Abu Grein, 2 civilians injured.';
const fields = (narrative: string) => ({ narrative, photo: '', location: '31.4452 15.2503 10.0 8.0' });

/** The report once the pipeline has processed the version saying `narrative` (its input hash moved on from `before`). */
async function processedWith(id: string, narrative: string, before: string | null = null) {
  await expect
    .poll(
      async () => {
        const r = await s.rt.db.report.findUniqueOrThrow({ where: { id } });
        return r.status === 'processed' && r.narrative === narrative && r.inputHash !== null && r.inputHash !== before;
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBe(true);
  return s.rt.db.report.findUniqueOrThrow({ where: { id } });
}

describe('an edit of a sent ODK form', () => {
  it('becomes version 2 of the same report, processed again, with version 1 kept as filed and the edit audited', async () => {
    const first = randomUUID();
    const sent = await submit(collectSubmission(fields(CONVOY), { instanceId: first }));
    expect(sent.status).toBe(201);
    const id = (sent.headers.get('location') ?? '').split('/').pop()!;
    const v1 = await processedWith(id, CONVOY);
    expect(v1.terms).toContain('troop_return');

    const edit = randomUUID();
    const res = await submit(collectSubmission(fields(SHELLING), { instanceId: edit, deprecatedId: first }));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/reports/${id}`);
    expect(await res.text()).toContain('version 2');

    // One report, not two: the edit's instanceID never became a report of its own.
    expect(await s.rt.db.report.count({ where: { observerId: observer.user.id } })).toBe(1);
    const v2 = await processedWith(id, SHELLING, v1.inputHash);
    expect(v2).toMatchObject({ version: 2, versionInstanceId: edit, clientId: first });
    expect(v2.terms).toContain('hostilities');
    expect(v2.inputHash).not.toBe(v1.inputHash);

    const kept = await s.rt.db.reportVersion.findMany({ where: { reportId: id } });
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ version: 1, instanceId: first, contentHash: v1.contentHash });
    expect((kept[0]!.content as { narrative: string }).narrative).toBe(CONVOY);

    const audit = await s.rt.db.auditEvent.findFirstOrThrow({ where: { action: 'report_edited', entityId: id } });
    expect(audit.actorName).toBe(observer.username);
    expect(audit.before).toEqual({ version: 1, contentHash: v1.contentHash });
    expect(audit.after).toMatchObject({
      version: 2,
      contentHash: v2.contentHash,
      changed: ['narrative'],
      instanceId: edit,
      replaces: first,
    });
    // The fields that changed are named, their values are the versions' (an erasure takes them with the report).
    expect(JSON.stringify([audit.before, audit.after])).not.toContain('Abu Grein');

    // The commission reads the current version and the earlier one.
    const seen = await bearer(s.url, member.token).get(`/api/reports/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ version: 2, narrative: SHELLING });
    expect(seen.body.versions).toEqual([
      expect.objectContaining({ version: 1, narrative: CONVOY, partyAlleged: 'LAAF' }),
    ]);

    // Collect resends the edit until it reads a 201: nothing changes again.
    const again = await submit(collectSubmission(fields(SHELLING), { instanceId: edit, deprecatedId: first }));
    expect(again.status).toBe(201);
    expect(await s.rt.db.reportVersion.count({ where: { reportId: id } })).toBe(1);
    expect(await s.rt.db.auditEvent.count({ where: { action: 'report_edited', entityId: id } })).toBe(1);

    // An edit of the edit names the edit's instanceID: version 3 of the same report, with a photo it brings.
    const third = randomUUID();
    const text3 = `${SHELLING} Photo of the impact attached.`;
    const res3 = await submit(
      collectSubmission({ ...fields(text3), photo: 'impact.jpg' }, { instanceId: third, deprecatedId: edit }),
      observer,
      [['impact.jpg', jpeg]],
    );
    expect(res3.status).toBe(201);
    const v3 = await processedWith(id, text3, v2.inputHash);
    expect(v3).toMatchObject({ version: 3, versionInstanceId: third });
    expect(await s.rt.db.attachment.count({ where: { reportId: id } })).toBe(1);
    expect(
      (await s.rt.db.reportVersion.findMany({ where: { reportId: id }, orderBy: { version: 'asc' } })).map((v) => [
        v.version,
        v.instanceId,
      ]),
    ).toEqual([
      [1, first],
      [2, edit],
    ]);
    expect(v3.flags).toEqual([]);

    // An edit made from version 1 again (a second copy of the form on the phone) becomes version 4, flagged for the
    // reviewer: made from version 1, not from the latest, 3.
    const fromOld = randomUUID();
    const text4 = 'Convoy of 14 technicals moving west toward Abu Grein, counted again.';
    const res4 = await submit(collectSubmission(fields(text4), { instanceId: fromOld, deprecatedId: first }));
    expect(res4.status).toBe(201);
    expect(res4.headers.get('location')).toBe(`/api/reports/${id}`);
    const v4 = await processedWith(id, text4, v3.inputHash);
    expect(v4).toMatchObject({ version: 4, versionInstanceId: fromOld });
    expect(v4.flags).toEqual([{ code: 'edited_from_older', field: 'version', reported: 1, inferred: 3 }]);
    const audited = await s.rt.db.auditEvent.findFirstOrThrow({
      where: { action: 'report_edited', entityId: id },
      orderBy: { seq: 'desc' },
    });
    expect(audited.after).toMatchObject({ version: 4, basedOn: 1, replaces: first });
  });

  it("is filed as a new report when the report it names was never received from this observer, and leaves another observer's report alone", async () => {
    const theirs = randomUUID();
    const sent = await submit(collectSubmission(fields(CONVOY), { instanceId: theirs }), other);
    expect(sent.status).toBe(201);
    const theirId = (sent.headers.get('location') ?? '').split('/').pop()!;

    for (const replaces of [theirs, randomUUID()]) {
      const edit = randomUUID();
      const res = await submit(collectSubmission(fields(SHELLING), { instanceId: edit, deprecatedId: replaces }));
      expect(res.status).toBe(201);
      const stored = await s.rt.db.report.findMany({ where: { clientId: edit } });
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ observerId: observer.user.id, version: 1, narrative: SHELLING });
    }
    expect(await s.rt.db.report.findUniqueOrThrow({ where: { id: theirId } })).toMatchObject({
      version: 1,
      narrative: CONVOY,
    });
  });

  it("refuses an edit whose instanceID another of the observer's reports was sent with, touching neither report", async () => {
    const first = randomUUID();
    const otherInstance = randomUUID();
    const a = await submit(collectSubmission(fields(CONVOY), { instanceId: first }));
    const b = await submit(
      collectSubmission(fields('Checkpoint at the Sirte gate reopened this morning.'), { instanceId: otherInstance }),
    );
    expect([a.status, b.status]).toEqual([201, 201]);
    const aId = (a.headers.get('location') ?? '').split('/').pop()!;
    const bId = (b.headers.get('location') ?? '').split('/').pop()!;

    // Not a resend of report b (it says something else): answered as any reuse of an instanceID with other content.
    const res = await submit(
      collectSubmission(
        { ...fields(SHELLING), photo: 'impact.jpg' },
        { instanceId: otherInstance, deprecatedId: first },
      ),
      observer,
      [['impact.jpg', jpeg]],
    );
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('different content');
    for (const id of [aId, bId]) {
      expect(await s.rt.db.report.findUniqueOrThrow({ where: { id } })).toMatchObject({ version: 1 });
      expect(await s.rt.db.attachment.count({ where: { reportId: id } })).toBe(0);
    }
    expect(await s.rt.db.reportVersion.count({ where: { reportId: { in: [aId, bId] } } })).toBe(0);
  });

  it('of a report whose incident the commission already decided is filed as a new report, leaving what was decided on as it was', async () => {
    const first = randomUUID();
    const sent = await submit(collectSubmission(fields(CONVOY), { instanceId: first }));
    const id = (sent.headers.get('location') ?? '').split('/').pop()!;
    const v1 = await processedWith(id, CONVOY);
    const incidentId = v1.incidentId!;
    expect(
      (await bearer(s.url, member.token).patch(`/api/incidents/${incidentId}`, { state: 'verified' })).status,
    ).toBe(200);

    const edit = randomUUID();
    const res = await submit(collectSubmission(fields(SHELLING), { instanceId: edit, deprecatedId: first }));
    expect(res.status).toBe(201);
    const newId = (res.headers.get('location') ?? '').split('/').pop()!;
    expect(newId).not.toBe(id);
    // The report the commission verified is unchanged, and stays in the verified incident.
    expect(await s.rt.db.report.findUniqueOrThrow({ where: { id } })).toMatchObject({
      version: 1,
      narrative: CONVOY,
      incidentId,
    });
    expect(await s.rt.db.reportVersion.count({ where: { reportId: id } })).toBe(0);
    // The edit is a report of its own, processed as any new report (a new one on a verified incident is counted
    // as such on its page).
    const added = await processedWith(newId, SHELLING);
    expect(added).toMatchObject({ clientId: edit, version: 1, observerId: observer.user.id });
    // A resend of the edit changes nothing.
    const again = await submit(collectSubmission(fields(SHELLING), { instanceId: edit, deprecatedId: first }));
    expect(again.headers.get('location')).toBe(`/api/reports/${newId}`);
    expect(await s.rt.db.report.count({ where: { observerId: observer.user.id, clientId: edit } })).toBe(1);
  });

  it('tells the member the incident is assigned to, in their inbox, once per unread notice', async () => {
    // Another place and event than the other tests' reports, so it opens an incident of its own (not one decided
    // above).
    const at = (narrative: string) => ({ ...fields(narrative), location: '26.5921 12.7805 10.0 8.0' });
    const CLOSED = 'Checkpoint on the road south of Ubari closed since morning, about 30 trucks turned back.';
    const MINED = 'Correction: the road south of Ubari is closed because a mine was found on the shoulder.';
    const first = randomUUID();
    const sent = await submit(collectSubmission(at(CLOSED), { instanceId: first }));
    const id = (sent.headers.get('location') ?? '').split('/').pop()!;
    const incidentId = (await processedWith(id, CLOSED)).incidentId!;
    expect(
      (await bearer(s.url, member.token).patch(`/api/incidents/${incidentId}`, { assigneeId: member.user.id })).status,
    ).toBe(200);
    const res = await submit(collectSubmission(at(MINED), { instanceId: randomUUID(), deprecatedId: first }));
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/reports/${id}`);
    const inbox = await bearer(s.url, member.token).get('/api/notifications?limit=200');
    expect(inbox.status).toBe(200);
    const edited = inbox.body.items.filter((n: any) => n.incidentId === incidentId && n.kind === 'edited');
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({ readAt: null });
  });

  it('reads as waiting for processing until its new version is processed', async () => {
    // No workers here: the edit's processing never runs, so what the row says meanwhile can be read.
    const quiet = await startTestServer({ relay: false });
    try {
      const who = await quiet.makeUser('observer');
      const send = (xml: string) =>
        fetch(`${quiet.url}/submission`, { method: 'POST', headers: { authorization: basic(who) }, body: body(xml) });
      const first = randomUUID();
      const sent = await send(collectSubmission(fields(CONVOY), { instanceId: first }));
      const id = (sent.headers.get('location') ?? '').split('/').pop()!;
      // As the pipeline leaves a processed report.
      await quiet.rt.db.report.update({
        where: { id },
        data: { status: 'processed', processedAt: new Date(), inputHash: 'f'.repeat(64), terms: ['troop_return'] },
      });
      expect(
        (await send(collectSubmission(fields(SHELLING), { instanceId: randomUUID(), deprecatedId: first }))).status,
      ).toBe(201);
      expect(await quiet.rt.db.report.findUniqueOrThrow({ where: { id } })).toMatchObject({
        version: 2,
        status: 'received',
      });
      const seen = await bearer(quiet.url, who.token).get(`/api/reports/${id}`);
      expect(seen.body).toMatchObject({ version: 2, status: 'received', progress: 'received' });
    } finally {
      await quiet.close();
    }
  });

  it('keeps the photo a second delivery of the same edit brings while the first is still being applied', async () => {
    // Elsewhere and on another day: an incident of its own, not one an earlier test had the commission decide.
    const apart = { location: '32.1154 20.0868 10.0 8.0', observed_at: '2020-12-20T07:15:00.000+02:00' };
    const first = randomUUID();
    const sent = await submit(collectSubmission({ ...fields(CONVOY), ...apart }, { instanceId: first }));
    const id = (sent.headers.get('location') ?? '').split('/').pop()!;
    await processedWith(id, CONVOY);
    // The workers idle (the earlier tests' reports processed), so the only lock waits are the deliveries'.
    await waitFor(async () => (await s.rt.db.report.count({ where: { status: 'received' } })) === 0, 'workers idle');
    const edit = randomUUID();
    const text = `${SHELLING} Photo follows.`;
    const waiting = async (n: number) =>
      waitFor(async () => {
        const [row] = await s.rt.db.$queryRaw<Array<{ n: number }>>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        return row!.n >= n;
      }, `${n} deliveries waiting for the report`);

    // The report held meanwhile, so the two deliveries queue on it in the order they arrive: the first lost its
    // photo on the way (Collect sends the form again to complete it), the second brings it.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    const holder = s.rt.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Report" WHERE id = ${id}::uuid FOR UPDATE`;
        holding();
        await released;
      },
      { timeout: 60_000 },
    );
    await holds;
    const xml = collectSubmission(
      { ...fields(text), ...apart, photo: 'later.jpg' },
      { instanceId: edit, deprecatedId: first },
    );
    const without = submit(xml);
    await waiting(1);
    const withPhoto = submit(xml, observer, [['later.jpg', jpeg]]);
    await waiting(2);
    release();
    await holder;
    expect((await Promise.all([without, withPhoto])).map((r) => r.status)).toEqual([201, 201]);
    expect(await s.rt.db.report.findUniqueOrThrow({ where: { id } })).toMatchObject({ version: 2, narrative: text });
    expect(await s.rt.db.attachment.count({ where: { reportId: id } })).toBe(1);
  });

  it('refuses a deprecatedID that is not an instanceID, naming the form field', async () => {
    const xml = collectSubmission(fields(CONVOY), { instanceId: randomUUID() }).replace(
      '</orx:instanceID>',
      '</orx:instanceID><orx:deprecatedID>uuid:not-a-uuid</orx:deprecatedID>',
    );
    const res = await submit(xml);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('meta/deprecatedID');
  });
});
