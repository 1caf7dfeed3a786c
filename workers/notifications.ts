// notifications queue: email-notification jobs → sendNoticeEmail (one try at emailing one notice; BullMQ retries a
// failure with backoff, NOTIFY_EMAIL_ATTEMPTS in all; the last failure stays in the failed set, the dead letters).
// Without SMTP_URL each job ends at once with nothing sent.
import type { Job, Processor } from 'bullmq';
import nodemailer from 'nodemailer';
import type { Runtime } from '../src/runtime.ts';
import type { EmailNotificationJob } from '../src/queue/names.ts';
import { sendNoticeEmail } from '../src/notifications/email.ts';

export function notificationsProcessor(rt: Runtime): Processor<EmailNotificationJob> {
  const deps = {
    db: rt.db,
    clock: rt.clock,
    transport: rt.config.SMTP_URL ? nodemailer.createTransport(rt.config.SMTP_URL) : null,
    from: rt.config.NOTIFY_FROM,
    publicUrl: rt.config.PUBLIC_URL,
  };
  return async (job: Job<EmailNotificationJob>) => sendNoticeEmail(deps, job.data.notificationId);
}
