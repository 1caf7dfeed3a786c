// SMS intake through the real API, as gateways call it: Twilio (form fields, HTTP Basic, TwiML answer), SMSSync
// (secret and millisecond time in the form, JSON task answer) and a generic gateway (header secret, plain text).
// A registered observer's text becomes a report of the same intake and pipeline; unknown numbers, malformed texts
// and refused reports are kept for an admin, who retries or dismisses them (audited).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/wait.ts';

const SECRET = 'gateway-secret-for-tests-0123456789';
const PHONE = '+218912345678';
const OTHER_PHONE = '+218923456789';

let s: TestServer;
let admin: ReturnType<typeof bearer>;
let observer: TestUser;
let second: TestUser;

beforeAll(async () => {
  s = await startTestServer({ workers: true, env: { SMS_GATEWAY_SECRET: SECRET, MAX_NARRATIVE_CHARS: '100' } });
  admin = bearer(s.url, (await s.makeUser('admin')).token);
  observer = await s.makeUser('observer');
  second = await s.makeUser('observer');
});
afterAll(async () => {
  await s?.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
async function inbound(
  fields: Record<string, string>,
  headers: Record<string, string> = { 'x-gateway-secret': SECRET },
  query = '',
) {
  const res = await fetch(`${s.url}/api/sms/inbound${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const receipt = (text: string) => /SMS-[0-9A-Z]{8}/.exec(text)?.[0];
const held = async () => (await admin.get('/api/sms/messages')).body.items;
const reportOf = async (code: string) => {
  const m = await s.rt.db.smsMessage.findUniqueOrThrow({ where: { receiptCode: code } });
  return m.reportId ? s.rt.db.report.findUniqueOrThrow({ where: { id: m.reportId } }) : null;
};

describe('registering phones', () => {
  it('lets an admin give an observer a phone number, normalised to E.164 and audited', async () => {
    const res = await admin.patch(`/api/users/${observer.user.id}`, { phone: '00218 91-234 5678' });
    expect(res.status).toBe(200);
    expect(res.body.user.phone).toBe(PHONE);
    const users = (await admin.get('/api/users')).body.items;
    expect(users.find((u: { id: string }) => u.id === observer.user.id).phone).toBe(PHONE);
    const [audit] = await s.rt.db.auditEvent.findMany({
      where: { action: 'user_updated', entityId: observer.user.id },
    });
    expect(audit).toMatchObject({ before: { phone: null }, after: { phone: PHONE } });
  });

  it('refuses a number that is not international, or that another account has', async () => {
    const local = await admin.patch(`/api/users/${second.user.id}`, { phone: '0912345678' });
    expect(local.status).toBe(422);
    expect(local.body.error.issues[0].field).toBe('phone');
    const taken = await admin.patch(`/api/users/${second.user.id}`, { phone: PHONE });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toContain('phone');
  });
});

describe('gateways', () => {
  let twilioCode: string;

  it('files a Twilio message as a report and answers TwiML with the receipt', async () => {
    const res = await inbound(
      {
        From: PHONE,
        To: '+12025550100',
        Body: 'R Sirte LAAF 12 rounds of artillery hit GNA positions east of Sirte at 0540, 2 fighters injured',
        MessageSid: 'SM0123456789abcdef0123456789abcdef',
        AccountSid: 'AC0123',
      },
      basic('gateway', SECRET),
    );
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/xml');
    expect(res.text).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Message>Report received\. Receipt SMS-[0-9A-Z]{8}\.<\/Message><\/Response>$/,
    );
    twilioCode = receipt(res.text)!;
    const report = (await reportOf(twilioCode))!;
    expect(report).toMatchObject({
      observerId: observer.user.id,
      source: 'sms',
      placeName: 'Sirte',
      partyAlleged: 'LAAF',
      narrative: '12 rounds of artillery hit GNA positions east of Sirte at 0540, 2 fighters injured',
    });
    // The same pipeline as every other channel: classified, placed, in an incident.
    const processed = await waitFor(async () => {
      const r = await bearer(s.url, observer.token).get(`/api/reports/${report.id}`);
      return r.body.status === 'processed' ? r.body : null;
    }, 'the SMS report processed');
    expect(processed.source).toBe('sms');
    expect(processed.incidentId).toBeTruthy();
    expect(processed.classification.terms.map((t: { id: string }) => t.id)).toContain('hostilities');
  });

  it("answers a gateway's retry of the same message with the same receipt, and files nothing twice", async () => {
    const again = await inbound(
      {
        From: PHONE,
        Body: 'R Sirte LAAF 12 rounds of artillery hit GNA positions east of Sirte at 0540, 2 fighters injured',
        MessageSid: 'SM0123456789abcdef0123456789abcdef',
      },
      basic('gateway', SECRET),
    );
    expect(receipt(again.text)).toBe(twilioCode);
    expect(await s.rt.db.report.count({ where: { source: 'sms' } })).toBe(1);
    expect(await s.rt.db.smsMessage.count()).toBe(1);
  });

  it('files an Arabic text with Arabic-Indic coordinates from a generic gateway, answered in Arabic plain text', async () => {
    const res = await inbound({
      from: '+218 91 234 5678',
      text: 'ب ٣١٫٢٠٥،١٦٫٥٨٨ الوفاق اشتباكات متقطعة قرب البوابة الغربية',
      sent_at: '2020-11-14T05:40:00+02:00',
    });
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.text).toMatch(/^تم استلام البلاغ\. رقم الإيصال SMS-[0-9A-Z]{8}\.$/);
    const report = (await reportOf(receipt(res.text)!))!;
    expect(report).toMatchObject({
      lat: 31.205,
      lon: 16.588,
      placeName: null,
      partyAlleged: 'GNA',
      narrative: 'اشتباكات متقطعة قرب البوابة الغربية',
      observedAt: new Date('2020-11-14T03:40:00Z'),
    });
  });

  it('answers SMSSync with its task JSON, the secret and a millisecond time in the form', async () => {
    const res = await inbound(
      {
        from: PHONE,
        message: 'R "Abu Grein" F convoy of 4 trucks with foreign fighters heading south',
        message_id: 'a1b2c3',
        sent_timestamp: String(Date.parse('2020-11-15T10:00:00Z')),
        sent_to: '+218910000000',
        device_id: '1',
        secret: SECRET,
      },
      {},
    );
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.payload).toMatchObject({ success: true, error: null, task: 'send' });
    expect(body.payload.messages[0]).toMatchObject({ to: PHONE, message: expect.stringMatching(/^Report received/) });
    const report = (await reportOf(body.payload.messages[0].uuid))!;
    expect(report).toMatchObject({ placeName: 'Abu Grein', partyAlleged: 'foreign' });
    expect(report.observedAt.toISOString()).toBe('2020-11-15T10:00:00.000Z');
  });

  it('gives TwiML to any gateway that asks for it', async () => {
    const res = await inbound({ from: PHONE, text: 'R Sirte U flare seen over the port' }, undefined, '?format=twiml');
    expect(res.text).toMatch(/^<\?xml.*<Message>Report received/);
  });
});

describe('messages kept for an admin', () => {
  it('keeps a message from an unknown number, answers with a reference, and files it once the number is registered', async () => {
    const res = await inbound({ from: OTHER_PHONE, text: 'R Brega LAAF checkpoint closed to civilians', id: 'g-1' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^This number is not registered\. Your message is kept for an administrator\. Ref SMS-/);
    const code = receipt(res.text)!;
    const [waiting] = await held();
    expect(waiting).toMatchObject({
      receiptCode: code,
      status: 'unknown_sender',
      phone: OTHER_PHONE,
      text: 'R Brega LAAF checkpoint closed to civilians',
      reportId: null,
    });
    // Retrying before the number is registered changes nothing.
    expect((await admin.post(`/api/sms/messages/${waiting.id}/retry`, {})).body.status).toBe('unknown_sender');

    expect((await admin.patch(`/api/users/${second.user.id}`, { phone: OTHER_PHONE })).status).toBe(200);
    const retried = await admin.post(`/api/sms/messages/${waiting.id}/retry`, {});
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'accepted', observerId: second.user.id });
    expect((await reportOf(code))!).toMatchObject({ observerId: second.user.id, placeName: 'Brega', source: 'sms' });
    const audits = await s.rt.db.auditEvent.findMany({ where: { action: 'sms_retried', entityId: waiting.id } });
    expect(audits.map((a) => (a.after as { status: string }).status)).toEqual(['unknown_sender', 'accepted']);
    expect(await held()).toEqual([]);
    // Retrying what was filed is a conflict.
    expect((await admin.post(`/api/sms/messages/${waiting.id}/retry`, {})).status).toBe(409);
  });

  it('keeps a malformed text with what is wrong, answers how to write one, and lets an admin dismiss it', async () => {
    const res = await inbound({ from: PHONE, text: 'Sirte shelling near the port since 0500' });
    expect(res.text).toBe(
      `Not understood: start with R. Send: R <place or lat,lon> <party> <text>. Ref ${receipt(res.text)}.`,
    );
    const ar = await inbound({ from: PHONE, text: 'ب سرت قصف قرب الميناء' });
    expect(ar.text).toContain('لم تُفهم الرسالة: لا يوجد طرف');
    const waiting = await held();
    expect(waiting.map((m: { status: string; reason: string }) => [m.status, m.reason])).toEqual([
      ['malformed', 'no_party'],
      ['malformed', 'no_keyword'],
    ]);
    const dismissed = await admin.post(`/api/sms/messages/${waiting[1].id}/dismiss`, {});
    expect(dismissed.body).toMatchObject({ status: 'dismissed', reason: 'no_keyword' });
    expect(dismissed.body.handledAt).toBeTruthy();
    expect(await s.rt.db.auditEvent.count({ where: { action: 'sms_dismissed' } })).toBe(1);
    expect((await held()).map((m: { id: string }) => m.id)).toEqual([waiting[0].id]);
    const all = (await admin.get('/api/sms/messages?status=all&limit=100')).body.items;
    expect(all.length).toBe(await s.rt.db.smsMessage.count());
  });

  it('keeps a text intake refuses (too long a narrative for this server), never losing it', async () => {
    const res = await inbound({ from: PHONE, text: `R Sirte LAAF ${'long account of the shelling '.repeat(5)}` });
    expect(res.text).toMatch(/^Not filed: refused by the server\. Your message is kept for an administrator\./);
    const [m] = await held();
    expect(m).toMatchObject({ status: 'rejected', reason: expect.stringContaining('narrative') });
  });
});

describe('the gateway webhook refuses', () => {
  it('a request without the secret, or with a wrong one, and keeps nothing of it', async () => {
    const before = await s.rt.db.smsMessage.count();
    expect((await inbound({ from: PHONE, text: 'R Sirte LAAF x' }, {})).status).toBe(401);
    expect((await inbound({ from: PHONE, text: 'R Sirte LAAF x' }, { 'x-gateway-secret': 'wrong' })).status).toBe(401);
    expect((await inbound({ from: PHONE, text: 'R Sirte LAAF x' }, basic('gateway', 'wrong'))).status).toBe(401);
    expect(await s.rt.db.smsMessage.count()).toBe(before);
  });

  it('a body without a sender or a text (400)', async () => {
    const res = await inbound({ text: 'R Sirte LAAF x' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.issues[0].field).toBe('from');
  });

  it('every request while SMS intake is not configured (404)', async () => {
    const off = await startTestServer({ relay: false });
    try {
      const res = await fetch(`${off.url}/api/sms/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-gateway-secret': SECRET },
        body: form({ from: PHONE, text: 'R Sirte LAAF x' }),
      });
      expect(res.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
