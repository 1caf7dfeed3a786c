// A notice by email: its text in the recipient's language (both English and Arabic, one after the other, for an
// account without one), and one try at sending it through the SMTP server (nodemailer). The notifications worker
// calls sendNoticeEmail once per outbox row; BullMQ tries a failure again with backoff (NOTIFY_EMAIL_ATTEMPTS).
// A notice emailed already is not sent again (a retried job after a lost acknowledgement).
import type { Transporter } from 'nodemailer';
import { canReadNotifications } from '../auth/policies.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { findForEmail, markEmailed, recordEmailFailure, type NotificationKind } from './repository.ts';

export type NoticeLanguage = 'en' | 'ar';

export interface NoticeFacts {
  kind: NotificationKind;
  incidentId: string;
  severity: number;
  placeName: string | null;
}

const shortId = (id: string) => `#${id.slice(0, 8)}`;
// The Latin id and place inside Arabic text are isolated (FSI … PDI) so they keep their own order.
const iso = (s: string) => `\u2068${s}\u2069`;

const SUBJECTS: Record<NoticeLanguage, Record<NotificationKind, (f: NoticeFacts) => string>> = {
  en: {
    assigned: (f) => `Incident ${shortId(f.incidentId)} was assigned to you`,
    severe: (f) => `Severe incident ${shortId(f.incidentId)} (severity ${f.severity} of 5)`,
    answered: (f) => `An observer answered the request for information on incident ${shortId(f.incidentId)}`,
    added: (f) => `An observer added to a report of incident ${shortId(f.incidentId)}`,
    edited: (f) => `An observer edited a report of incident ${shortId(f.incidentId)}`,
  },
  ar: {
    assigned: (f) => `أُسندت إليك الحادثة ${iso(shortId(f.incidentId))}`,
    severe: (f) => `حادثة خطيرة ${iso(shortId(f.incidentId))} (الخطورة ${f.severity} من 5)`,
    answered: (f) => `أجاب مراقب على طلب المعلومات في الحادثة ${iso(shortId(f.incidentId))}`,
    added: (f) => `أضاف مراقب إلى بلاغ في الحادثة ${iso(shortId(f.incidentId))}`,
    edited: (f) => `عدّل مراقب بلاغاً في الحادثة ${iso(shortId(f.incidentId))}`,
  },
};
const PLACE: Record<NoticeLanguage, string> = { en: 'Place', ar: 'المكان' };
const OPEN: Record<NoticeLanguage, string> = { en: 'Open the incident', ar: 'افتح الحادثة' };
const WHY: Record<NoticeLanguage, string> = {
  en: 'You receive this because you are a member of the commission. An administrator can turn these emails off for your account.',
  ar: 'تصلك هذه الرسالة لأنك عضو في اللجنة. يمكن للمسؤول إيقاف هذه الرسائل لحسابك.',
};

/** The email of a notice: subject and plain text, in `language`, or in English then Arabic when it is null. */
export function composeNoticeEmail(
  facts: NoticeFacts,
  language: NoticeLanguage | null,
  incidentUrl: string,
): { subject: string; text: string } {
  const languages: NoticeLanguage[] = language ? [language] : ['en', 'ar'];
  const subject = languages.map((l) => SUBJECTS[l][facts.kind](facts)).join(' / ');
  const part = (l: NoticeLanguage) =>
    [
      SUBJECTS[l][facts.kind](facts),
      ...(facts.placeName ? [`${PLACE[l]}: ${l === 'ar' ? iso(facts.placeName) : facts.placeName}`] : []),
      `${OPEN[l]}: ${incidentUrl}`,
      '',
      WHY[l],
    ].join('\n');
  return { subject, text: languages.map(part).join('\n\n———\n\n') };
}

export const noticeLanguage = (l: string | null): NoticeLanguage | null => (l === 'en' || l === 'ar' ? l : null);

export interface NoticeEmailDeps {
  db: Db;
  clock: Clock;
  /** null while SMTP_URL is unset: nothing is sent. */
  transport: Transporter | null;
  from: string;
  /** Where members reach the review pages (PUBLIC_URL); the link is relative without it. */
  publicUrl?: string;
}

export type EmailOutcome = 'sent' | 'not_configured' | 'not_wanted' | 'already_sent' | 'gone';

/** One try at emailing a notice; throws when the SMTP server refuses or cannot be reached (the job tries again). */
export async function sendNoticeEmail(deps: NoticeEmailDeps, notificationId: string): Promise<EmailOutcome> {
  if (!deps.transport) return 'not_configured';
  const n = await findForEmail(deps.db, notificationId);
  if (!n) return 'gone';
  if (n.emailedAt) return 'already_sent';
  const to = n.recipient;
  // Read now, not when the notice was written: an address removed, email turned off, the account disabled or given
  // a role that no longer reads notices (an observer must not be told of incidents) since is respected.
  if (!to.email || !to.emailNotifications || to.disabledAt || !canReadNotifications(to)) return 'not_wanted';
  const url = `${deps.publicUrl ?? ''}/review/#incident/${n.incidentId}`;
  const { subject, text } = composeNoticeEmail(
    { kind: n.kind, incidentId: n.incidentId, severity: n.severity, placeName: n.incident.placeName },
    noticeLanguage(to.language),
    url,
  );
  try {
    await deps.transport.sendMail({
      from: deps.from,
      to: to.email,
      subject,
      text,
      // A retried job sends the same message id: a mail system that saw it may drop the repeat.
      messageId: `<notification-${n.id}@ceasefire-monitoring>`,
    });
  } catch (err) {
    await recordEmailFailure(deps.db, n.id, (err as Error).message).catch(() => undefined);
    throw err;
  }
  await markEmailed(deps.db, n.id, deps.clock.now());
  return 'sent';
}
