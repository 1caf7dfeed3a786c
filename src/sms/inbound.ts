// What an SMS gateway POSTs, in the field names the common gateways use, read into one shape:
//  - Twilio (form-encoded): From, Body, MessageSid; no time (the time of arrival stands);
//  - SMSSync / Ushahidi's Android gateway: from, message, message_id, sent_timestamp (ms), secret;
//  - generic gateways (Kannel, RapidPro, FrontlineSMS, Africa's Talking...): from | sender | msisdn | phone,
//    text | message | body, time | sent_at | timestamp | date (ISO 8601, or Unix seconds or milliseconds),
//    id | message_id | messageId.
import { Invalid } from '../errors.ts';

export type Gateway = 'twilio' | 'smssync' | 'generic';

export interface InboundSms {
  gateway: Gateway;
  sender: string;
  text: string;
  sentAt: Date | null;
  /** The gateway's own id of the message (a retry carries it again). */
  messageId: string | null;
}

const FIELDS = {
  sender: ['From', 'from', 'sender', 'msisdn', 'phone'],
  text: ['Body', 'body', 'text', 'message', 'Text', 'Message'],
  time: ['sent_timestamp', 'sent_at', 'time', 'timestamp', 'date', 'Date'],
  id: ['MessageSid', 'SmsSid', 'message_id', 'messageId', 'id'],
};
const MAX_TEXT = 5000;

const pick = (body: Record<string, unknown>, names: string[]) => {
  for (const n of names) {
    const v = body[n];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return undefined;
};

/** A time a gateway sent: ISO 8601, or a Unix time in seconds or milliseconds. Null when it says nothing usable. */
export function parseGatewayTime(value: string | undefined): Date | null {
  if (!value?.trim()) return null;
  const v = value.trim();
  const ms = /^\d{9,10}$/.test(v) ? Number(v) * 1000 : /^\d{12,13}$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms) : null;
}

export function gatewayOf(body: Record<string, unknown>): Gateway {
  if ('MessageSid' in body || 'AccountSid' in body || 'SmsSid' in body) return 'twilio';
  if ('sent_timestamp' in body || ('message_id' in body && 'secret' in body)) return 'smssync';
  return 'generic';
}

/** Reads a gateway's POST; a body without a sender or a text is not an SMS (400). */
export function readInbound(body: Record<string, unknown>): InboundSms {
  const sender = pick(body, FIELDS.sender)?.trim();
  const text = pick(body, FIELDS.text);
  const issues = [];
  if (!sender) issues.push({ field: 'from', reason: 'the sender number is missing (From, from, sender or msisdn)' });
  else if (sender.length > 64) issues.push({ field: 'from', reason: 'longer than 64 characters' });
  if (text === undefined) issues.push({ field: 'text', reason: 'the text is missing (Body, text or message)' });
  else if (text.length > MAX_TEXT) issues.push({ field: 'text', reason: `longer than ${MAX_TEXT} characters` });
  else if (text.includes('\u0000') || !text.isWellFormed())
    issues.push({ field: 'text', reason: 'contains a NUL character or broken Unicode' });
  if (issues.length) throw new Invalid(issues, 400);
  return {
    gateway: gatewayOf(body),
    sender: sender!,
    text: text!,
    sentAt: parseGatewayTime(pick(body, FIELDS.time)),
    messageId: pick(body, FIELDS.id)?.slice(0, 80) ?? null,
  };
}
