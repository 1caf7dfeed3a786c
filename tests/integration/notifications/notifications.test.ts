// Notifications through the real API, the real pipeline and a real SMTP server (smtp-server, started here): notices
// written where the facts happen (an assignment by someone else, an incident opened or grown severe, an observer's
// answer on an incident a member holds), one unread per incident, kind and member; the inbox newest first in keyset
// pages with its unread count, each member's own; emailed through the notifications worker in the member's language
// (English and Arabic together without one), tried again when the SMTP server refuses.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidentWithReports, makeReport } from '../../helpers/factories.ts';
import { fileAndWaitProcessed, waitFor } from '../../helpers/wait.ts';
import { sendNoticeEmail } from '../../../src/notifications/email.ts';
import { JOBS, NOTIFICATION_EMAIL, QUEUES } from '../../../src/queue/names.ts';

let s: TestServer;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];
/** How many of the next messages the SMTP server refuses (a temporary failure, 451), to see the worker retry. */
let refuseNext = 0;
let refused = 0;
let chair: TestUser;
let member: TestUser;
let away: TestUser;
let gone: TestUser;
let admin: TestUser;
let observer: TestUser;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuseNext > 0) {
          refuseNext -= 1;
          refused += 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks)).then((m) => {
          mails.push(m);
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  s = await startTestServer({
    workers: true,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      NOTIFY_FROM: 'Ceasefire monitoring <notices@monitoring.test>',
      NOTIFY_EMAIL_BACKOFF_MS: '20',
      PUBLIC_URL: 'https://monitoring.test',
    },
  });
  chair = await s.makeUser('commission');
  member = await s.makeUser('commission');
  away = await s.makeUser('commission');
  gone = await s.makeUser('commission');
  admin = await s.makeUser('admin');
  observer = await s.makeUser('observer');
  await s.rt.db.user.update({ where: { id: gone.user.id }, data: { disabledAt: new Date() } });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

const api = (u: TestUser) => bearer(s.url, u.token);
const inbox = async (u: TestUser, query = '') => {
  const res = await api(u).get(`/api/notifications${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body as { items: any[]; nextCursor: string | null; unread: number };
};
const noticesOn = async (u: TestUser, incidentId: string) =>
  (await inbox(u, '?limit=200')).items.filter((n) => n.incidentId === incidentId);

/** A shelling with casualties on a day and place of its own: the pipeline opens a new, severe incident. */
const severeReport = (day: string) =>
  makeReport({
    observedAt: `2020-12-${day}T06:00:00+02:00`,
    lat: 30.41,
    lon: 19.57,
    placeName: 'Brega',
    partyAlleged: 'LAAF',
    casualties: { killed: 3 },
    narrative:
      'Artillery shelling hit positions east of Brega at dawn; approx. 10 rounds impacted, 3 civilians killed.',
  });

/** A quiet incident (no casualties, one report), written straight to the database. */
const quietIncident = async () =>
  (await insertIncidentWithReports(s.rt.db, observer.user.id, [{}], { severity: 1 })).id;

describe('assignment', () => {
  it('tells the assignee of an incident another member assigned to them, once while unread, and not of their own', async () => {
    const id = await quietIncident();
    expect((await api(chair).patch(`/api/incidents/${id}`, { assigneeId: member.user.id })).status).toBe(200);
    const [notice, ...more] = await noticesOn(member, id);
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ kind: 'assigned', incidentId: id, severity: 1, read: false, readAt: null });
    expect(notice.incident).toMatchObject({ placeName: 'Sirte', state: 'new', mergedIntoId: null });
    expect(await noticesOn(chair, id)).toEqual([]);

    // Taken away and given back while the first notice is unread: still one notice.
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: null });
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: member.user.id });
    expect(await noticesOn(member, id)).toHaveLength(1);

    // Read, then assigned again: a new notice.
    expect((await api(member).post(`/api/notifications/${notice.id}/read`, {})).body).toMatchObject({ read: true });
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: null });
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: member.user.id });
    const after = await noticesOn(member, id);
    expect(after.map((n) => n.read)).toEqual([false, true]);

    // An assignment refused rolls back with its notice: nobody is told of what did not happen.
    const refused = await quietIncident();
    const bad = await api(chair).patch(`/api/incidents/${refused}`, { assigneeId: observer.user.id });
    expect(bad.status).toBe(422);
    expect(await s.rt.db.notification.count({ where: { incidentId: refused } })).toBe(0);

    // A member who takes an incident themselves is not told of it; a bulk assignment by another tells the assignee.
    const own = await quietIncident();
    await api(chair).patch(`/api/incidents/${own}`, { assigneeId: chair.user.id });
    expect(await noticesOn(chair, own)).toEqual([]);
    const bulk = await api(member).post('/api/incidents/bulk', {
      action: 'assign',
      ids: [own],
      assigneeId: away.user.id,
    });
    expect(bulk.body).toMatchObject({ updated: 1 });
    expect((await noticesOn(away, own)).map((n) => n.kind)).toEqual(['assigned']);
  });
});

describe('severe incidents', () => {
  it('tells every active commission member of an incident the pipeline opened severe', async () => {
    const report = await fileAndWaitProcessed(api(observer), severeReport('03'));
    const incident = await s.rt.db.incident.findUniqueOrThrow({ where: { id: report.incidentId } });
    expect(incident.severity).toBeGreaterThanOrEqual(4);
    for (const u of [chair, member, away])
      expect(await noticesOn(u, incident.id)).toMatchObject([{ kind: 'severe', severity: incident.severity }]);
    // A disabled member and the admins are not told; observers have no inbox.
    expect(await s.rt.db.notification.count({ where: { incidentId: incident.id, recipientId: gone.user.id } })).toBe(0);
    expect(await noticesOn(admin, incident.id)).toEqual([]);
    expect((await api(observer).get('/api/notifications')).status).toBe(403);

    // A second report of the same event joins it: still severe, nothing new.
    const again = await fileAndWaitProcessed(api(observer), {
      ...severeReport('03'),
      narrative: 'Shelling east of Brega at dawn, 3 killed.',
    });
    if (again.incidentId === incident.id) expect(await noticesOn(member, incident.id)).toHaveLength(1);
  });

  it('tells them of an incident grown severe, but not the member whose correction made it so', async () => {
    // Stored at severity 1 while its report counts three dead: the correction's recompute finds it severe.
    const { id } = await insertIncidentWithReports(s.rt.db, observer.user.id, [{ casualties: { killed: 3 } }], {
      severity: 1,
    });
    const res = await api(chair).patch(`/api/incidents/${id}`, { stance: 'violation', note: 'checked' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.severity).toBeGreaterThanOrEqual(4);
    expect(await noticesOn(chair, id)).toEqual([]);
    expect(await noticesOn(member, id)).toMatchObject([{ kind: 'severe', severity: res.body.severity }]);
  });
});

describe("observers' answers", () => {
  it('tells the assignee of an answer to a request for information, and of an addition', async () => {
    const report = await fileAndWaitProcessed(api(observer), makeReport({ observedAt: '2020-12-05T09:00:00+02:00' }));
    const id = report.incidentId as string;
    await api(chair).patch(`/api/incidents/${id}`, {
      assigneeId: away.user.id,
      state: 'needs_info',
      note: 'which unit?',
    });
    const answer = await api(observer).post(`/api/reports/${report.id}/additions`, { text: 'The 166th battalion.' });
    expect(answer.status, answer.text).toBe(201);
    const added = await api(observer).post(`/api/reports/${report.id}/additions`, { text: 'A photo follows.' });
    expect(added.status).toBe(201);
    const kinds = (await noticesOn(away, id)).map((n) => n.kind);
    expect(kinds.sort()).toEqual(['added', 'answered', 'assigned']);
  });
});

describe('the inbox', () => {
  it('is newest first in keyset pages with the unread count, each member’s own, marked read one by one or all', async () => {
    const u = await s.makeUser('commission');
    const ids = [await quietIncident(), await quietIncident(), await quietIncident()];
    for (const id of ids) await api(chair).patch(`/api/incidents/${id}`, { assigneeId: u.user.id });
    const first = await inbox(u, '?limit=2');
    expect(first.unread).toBe(3);
    expect(first.items.map((n) => n.incidentId)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await inbox(u, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((n) => n.incidentId)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    // Another member's notice is not found, as one that does not exist; a malformed id too.
    const theirs = first.items[0].id;
    expect((await api(member).post(`/api/notifications/${theirs}/read`, {})).status).toBe(404);
    expect((await api(u).post(`/api/notifications/${randomUUID()}/read`, {})).status).toBe(404);
    expect((await api(u).post('/api/notifications/nope/read', {})).status).toBe(404);
    expect((await api(u).get('/api/notifications?cursor=garbage')).status).toBe(400);
    expect((await api(u).get('/api/notifications?limit=0')).status).toBe(400);

    const read = await api(u).post(`/api/notifications/${theirs}/read`, {});
    expect(read.body).toMatchObject({ id: theirs, read: true });
    expect((await inbox(u, '?unread=true')).items.map((n) => n.incidentId)).toEqual([ids[1], ids[0]]);
    expect((await api(u).post('/api/notifications/read-all', {})).body).toEqual({ marked: 2 });
    expect((await inbox(u)).unread).toBe(0);
  });
});

describe('old notices', () => {
  it('the nightly retention job deletes notices read more than 90 days ago, never an unread one', async () => {
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const ids = await Promise.all([quietIncident(), quietIncident(), quietIncident(), quietIncident()]);
    const notice = (incidentId: string, createdAt: Date, readAt: Date | null) =>
      s.rt.db.notification.create({
        data: { recipientId: away.user.id, kind: 'assigned', incidentId, severity: 1, createdAt, readAt },
        select: { id: true },
      });
    const longRead = await notice(ids[0]!, days(200), days(120));
    const readLately = await notice(ids[1]!, days(200), days(30));
    const neverRead = await notice(ids[2]!, days(400), null);
    const fresh = await notice(ids[3]!, days(1), days(1));
    const job = await s.rt.queues.get(QUEUES.retention)!.add(JOBS.applyRetention, {});
    await waitFor(async () => ((await job.isCompleted()) ? job : null), 'the retention job');
    expect((await s.rt.queues.get(QUEUES.retention)!.getJob(job.id!))?.returnvalue).toMatchObject({
      noticesDeleted: 1,
    });
    const left = await s.rt.db.notification.findMany({ where: { recipientId: away.user.id }, select: { id: true } });
    const leftIds = left.map((n) => n.id);
    expect(leftIds).not.toContain(longRead.id);
    expect(leftIds).toEqual(expect.arrayContaining([readLately.id, neverRead.id, fresh.id]));
  });
});

describe('email', () => {
  it('emails a notice in the member’s language through the SMTP server, both languages without one, none when off', async () => {
    // The admin sets the address, the language and the choice in the users screen's API; audited.
    const set = async (u: TestUser, patch: object) => {
      const res = await api(admin).patch(`/api/users/${u.user.id}`, patch);
      expect(res.status, res.text).toBe(200);
      return res.body.user;
    };
    const arabic = await s.makeUser('commission');
    const both = await s.makeUser('commission');
    const off = await s.makeUser('commission');
    expect(await set(arabic, { email: 'arabic@monitoring.test', language: 'ar' })).toMatchObject({
      email: 'arabic@monitoring.test',
      language: 'ar',
      emailNotifications: true,
    });
    await set(both, { email: 'both@monitoring.test' });
    await set(off, { email: 'off@monitoring.test', emailNotifications: false });
    expect((await api(admin).patch(`/api/users/${off.user.id}`, { email: 'not an address' })).status).toBe(422);
    const audit = await s.rt.db.auditEvent.findFirst({
      where: { action: 'user_updated', entityId: arabic.user.id },
      orderBy: { seq: 'desc' },
    });
    expect(audit?.after).toMatchObject({ email: 'arabic@monitoring.test', language: 'ar' });

    const id = await quietIncident();
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: arabic.user.id });
    const other = await quietIncident();
    await api(chair).patch(`/api/incidents/${other}`, { assigneeId: both.user.id });
    const third = await quietIncident();
    await api(chair).patch(`/api/incidents/${third}`, { assigneeId: off.user.id });

    const to = (address: string) => mails.find((m) => m.to && JSON.stringify(m.to).includes(address));
    const ar = await waitFor(async () => to('arabic@monitoring.test'), 'the Arabic email');
    expect(ar.subject).toBe(`أُسندت إليك الحادثة \u2068#${id.slice(0, 8)}\u2069`);
    expect(ar.from?.text).toContain('notices@monitoring.test');
    expect(ar.text).toContain(`https://monitoring.test/review/#incident/${id}`);
    expect(ar.text).not.toContain('assigned to you');
    const en = await waitFor(async () => to('both@monitoring.test'), 'the bilingual email');
    expect(en.subject).toBe(
      `Incident #${other.slice(0, 8)} was assigned to you / أُسندت إليك الحادثة \u2068#${other.slice(0, 8)}\u2069`,
    );
    expect(en.text).toContain('Place: Sirte');
    // The worker records emailedAt once the SMTP server has answered, so after the mail can already be read here:
    // waited for, not read at once (a CI run on a loaded host read it in between).
    await expect
      .poll(
        async () =>
          (
            await s.rt.db.notification.findFirstOrThrow({
              where: { incidentId: other, recipientId: both.user.id },
            })
          ).emailedAt,
        { timeout: 15_000, interval: 100 },
      )
      .not.toBeNull();

    // Email off: the notice is in the inbox, and no email is even queued for it.
    const kept = await s.rt.db.notification.findFirstOrThrow({
      where: { incidentId: third, recipientId: off.user.id },
    });
    const queued = await s.rt.db.outboxEvent.count({
      where: { topic: NOTIFICATION_EMAIL, payload: { path: ['notificationId'], equals: kept.id } },
    });
    expect(queued).toBe(0);
    expect(to('off@monitoring.test')).toBeUndefined();
  });

  it('lets a member turn their own email notices off and choose their language, audited; not their address', async () => {
    const u = await s.makeUser('commission');
    await api(admin).patch(`/api/users/${u.user.id}`, { email: 'self@monitoring.test' });
    expect((await api(u).get('/api/notifications/settings')).body).toEqual({
      email: 'self@monitoring.test',
      emailNotifications: true,
      language: null,
    });
    // The address is the admin's to set; an empty change and a language the pages do not speak are refused.
    expect((await api(u).patch('/api/notifications/settings', { email: 'elsewhere@example.org' })).status).toBe(422);
    expect((await api(u).patch('/api/notifications/settings', {})).status).toBe(422);
    expect((await api(u).patch('/api/notifications/settings', { language: 'fr' })).status).toBe(422);
    const off = await api(u).patch('/api/notifications/settings', { emailNotifications: false, language: 'ar' });
    expect(off.body).toEqual({ email: 'self@monitoring.test', emailNotifications: false, language: 'ar' });
    const audit = await s.rt.db.auditEvent.findFirstOrThrow({
      where: { action: 'user_updated', entityId: u.user.id, actorId: u.user.id },
    });
    expect(audit.before).toMatchObject({ emailNotifications: true, language: null });
    expect(audit.after).toMatchObject({ emailNotifications: false, language: 'ar' });

    const id = await quietIncident();
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: u.user.id });
    const notice = await s.rt.db.notification.findFirstOrThrow({ where: { incidentId: id, recipientId: u.user.id } });
    const queued = await s.rt.db.outboxEvent.count({
      where: { topic: NOTIFICATION_EMAIL, payload: { path: ['notificationId'], equals: notice.id } },
    });
    expect(queued).toBe(0);
  });

  it('tries again when the SMTP server refuses, and sends once', async () => {
    const u = await s.makeUser('commission');
    await api(admin).patch(`/api/users/${u.user.id}`, { email: 'retry@monitoring.test', language: 'en' });
    refuseNext = 2;
    const before = refused;
    const id = await quietIncident();
    await api(chair).patch(`/api/incidents/${id}`, { assigneeId: u.user.id });
    const mail = await waitFor(
      async () => mails.find((m) => JSON.stringify(m.to).includes('retry@monitoring.test')),
      'the email after two refusals',
    );
    expect(refused - before).toBe(2);
    expect(mail.subject).toBe(`Incident #${id.slice(0, 8)} was assigned to you`);
    const notice = await waitFor(
      async () =>
        await s.rt.db.notification.findFirst({
          where: { incidentId: id, recipientId: u.user.id, emailedAt: { not: null } },
        }),
      'the notice marked emailed',
    );
    expect(notice.emailError).toBeNull();
    // The same job run again (a lost acknowledgement) sends nothing more.
    const transport = nodemailer.createTransport(s.config.SMTP_URL!);
    const deps = { db: s.rt.db, clock: s.rt.clock, transport, from: s.config.NOTIFY_FROM };
    expect(await sendNoticeEmail(deps, notice.id)).toBe('already_sent');
    // Without SMTP_URL the job ends at once, sending nothing and failing nothing.
    expect(await sendNoticeEmail({ ...deps, transport: null }, notice.id)).toBe('not_configured');
    expect(mails.filter((m) => JSON.stringify(m.to).includes('retry@monitoring.test'))).toHaveLength(1);
  });
});

describe('a notice queued before its member changed', () => {
  it('is not emailed to an account that no longer reads notices (made an observer since)', async () => {
    const u = await s.makeUser('commission');
    await api(admin).patch(`/api/users/${u.user.id}`, { email: 'moved@monitoring.test', language: 'en' });
    const id = await quietIncident();
    // Written as the fact happened; the email job not yet run when the account's role changes.
    const notice = await s.rt.db.notification.create({
      data: { recipientId: u.user.id, kind: 'severe', incidentId: id, severity: 4 },
    });
    await s.rt.db.user.update({ where: { id: u.user.id }, data: { role: 'observer' } });
    const transport = nodemailer.createTransport(s.config.SMTP_URL!);
    const deps = { db: s.rt.db, clock: s.rt.clock, transport, from: s.config.NOTIFY_FROM };
    expect(await sendNoticeEmail(deps, notice.id)).toBe('not_wanted');
    expect(mails.filter((m) => JSON.stringify(m.to).includes('moved@monitoring.test'))).toEqual([]);
  });
});

describe('without SMTP_URL', () => {
  it('emails nothing and fails nothing: the email jobs end at once, the inbox works the same', async () => {
    const plain = await startTestServer({ workers: true });
    try {
      const [assigner, holder, boss] = [
        await plain.makeUser('commission'),
        await plain.makeUser('commission'),
        await plain.makeUser('admin'),
      ];
      await bearer(plain.url, boss.token).patch(`/api/users/${holder.user.id}`, { email: 'holder@monitoring.test' });
      const filer = await plain.makeUser('observer');
      const { id } = await insertIncidentWithReports(plain.rt.db, filer.user.id, [{}]);
      const res = await bearer(plain.url, assigner.token).patch(`/api/incidents/${id}`, { assigneeId: holder.user.id });
      expect(res.status).toBe(200);
      const notice = await plain.rt.db.notification.findFirstOrThrow({ where: { incidentId: id } });
      const queue = plain.rt.queues.get('notifications')!;
      const job = await waitFor(
        async () => (await queue.getCompleted()).find((j) => j.data.notificationId === notice.id),
        'the email job done',
      );
      expect(job.returnvalue).toBe('not_configured');
      expect(await queue.getFailedCount()).toBe(0);
      expect((await plain.rt.db.notification.findUniqueOrThrow({ where: { id: notice.id } })).emailedAt).toBeNull();
      expect((await bearer(plain.url, holder.token).get('/api/notifications')).body.unread).toBe(1);
    } finally {
      await plain.close();
    }
  });
});
