// The answer a gateway passes back to the sender: one short text in the language of the message (a satellite phone
// pays per message; Arabic fits 70 characters a part), written as the gateway expects it: TwiML for Twilio, the
// SMSSync task JSON, or plain text for the others.
import { create } from 'xmlbuilder2';
import type { SmsLanguage, SmsProblem } from './syntax.ts';
import type { Gateway } from './inbound.ts';

export type ReplyKind =
  | { kind: 'accepted' }
  | { kind: 'unknown_sender' }
  | { kind: 'malformed'; problem: SmsProblem }
  | { kind: 'rejected'; rateLimited: boolean };

const TEXTS = {
  en: {
    accepted: 'Report received. Receipt {code}.',
    unknown_sender: 'This number is not registered. Your message is kept for an administrator. Ref {code}.',
    malformed: 'Not understood: {problem}. Send: R <place or lat,lon> <party> <text>. Ref {code}.',
    rejected: 'Not filed: {reason}. Your message is kept for an administrator. Ref {code}.',
    rateLimited: 'too many reports, try later',
    refused: 'refused by the server',
    problems: {
      no_keyword: 'start with R',
      no_location: 'no place or position',
      bad_coordinates: 'position not readable',
      no_party: 'no party (LAAF, GNA, F, U)',
      no_text: 'no text',
    },
  },
  ar: {
    accepted: 'تم استلام البلاغ. رقم الإيصال {code}.',
    unknown_sender: 'هذا الرقم غير مسجل. حُفظت رسالتك للمسؤول. المرجع {code}.',
    malformed: 'لم تُفهم الرسالة: {problem}. أرسل: ب <المكان أو الإحداثيات> <الطرف> <النص>. المرجع {code}.',
    rejected: 'لم يُسجَّل البلاغ: {reason}. حُفظت رسالتك للمسؤول. المرجع {code}.',
    rateLimited: 'بلاغات كثيرة، حاول لاحقاً',
    refused: 'رفضه الخادم',
    problems: {
      no_keyword: 'ابدأ بـ ب أو بلاغ',
      no_location: 'لا يوجد مكان أو إحداثيات',
      bad_coordinates: 'الإحداثيات غير مقروءة',
      no_party: 'لا يوجد طرف (الجيش، الوفاق، أجنبي، مجهول)',
      no_text: 'لا يوجد نص',
    },
  },
} as const;

export function replyText(language: SmsLanguage, code: string, r: ReplyKind): string {
  const t = TEXTS[language];
  const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');
  switch (r.kind) {
    case 'accepted':
    case 'unknown_sender':
      return fill(t[r.kind], { code });
    case 'malformed':
      return fill(t.malformed, { code, problem: t.problems[r.problem] });
    case 'rejected':
      return fill(t.rejected, { code, reason: r.rateLimited ? t.rateLimited : t.refused });
  }
}

export type ReplyFormat = 'twiml' | 'smssync' | 'text';

/** Explicitly asked for (`?format=`), else what the gateway's own fields or an Accept of XML say. */
export function replyFormat(asked: string | undefined, gateway: Gateway, accept: string | undefined): ReplyFormat {
  if (asked === 'twiml' || asked === 'smssync' || asked === 'text') return asked;
  if (gateway === 'twilio' || /\bxml\b/.test(accept ?? '')) return 'twiml';
  if (gateway === 'smssync') return 'smssync';
  return 'text';
}

export function writeReply(
  format: ReplyFormat,
  text: string,
  to: string,
  code: string,
): { contentType: string; body: string } {
  if (format === 'twiml') {
    const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('Response').ele('Message').txt(text).up().up();
    return { contentType: 'text/xml; charset=utf-8', body: doc.end() };
  }
  if (format === 'smssync') {
    const payload = { success: true, error: null, task: 'send', messages: [{ to, message: text, uuid: code }] };
    return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ payload }) };
  }
  return { contentType: 'text/plain; charset=utf-8', body: text };
}
