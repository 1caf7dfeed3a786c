// Queue names and job payloads, declared once; producers (outbox relay, API) and workers import them.
// Payloads carry ids, never copies of rows: a job always works on the current state of the database.

/** Outbox topic written with every accepted report (and with evidence added to one). */
export const REPORT_RECEIVED = 'report.received';
/** Outbox topic written when a report matched two incidents firmly enough to tie them (dedup merges them). */
export const INCIDENTS_TIED = 'incidents.tied';
/** Outbox topic of one webhook delivery to (re)send: written with the delivery row (src/webhooks). */
export const WEBHOOK_DELIVERY = 'webhook.delivery';
/** Outbox topic of one notice to email (src/notifications): written with the notice, for accounts that want email. */
export const NOTIFICATION_EMAIL = 'notification.email';

/**
 * Domain events other systems subscribe to (signed webhooks, src/webhooks). Each is an outbox topic written in the
 * transaction of the change it reports, so it is published only once that change is committed. `report.received` is
 * also the report's processing job; the others are events only.
 */
export const EVENTS = {
  reportReceived: REPORT_RECEIVED,
  incidentCreated: 'incident.created',
  incidentVerified: 'incident.verified',
  incidentMerged: 'incident.merged',
  digestPublished: 'digest.published',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];
export const EVENT_NAMES = Object.values(EVENTS) as EventName[];
export const isEventName = (topic: string): topic is EventName => (EVENT_NAMES as string[]).includes(topic);

export const QUEUES = {
  reports: 'reports',
  digests: 'digests',
  models: 'models',
  incidents: 'incidents',
  retention: 'retention',
  webhooks: 'webhooks',
  notifications: 'notifications',
} as const;

export const JOBS = {
  processReport: 'process-report',
  compileDigest: 'compile-digest',
  retrainModel: 'retrain-model',
  mergeTied: 'merge-tied',
  applyRetention: 'apply-retention',
  dispatchEvent: 'dispatch-event',
  deliverWebhook: 'deliver-webhook',
  emailNotification: 'email-notification',
} as const;

/** One retention pass with the rules configured when it runs (src/erasure applyRetention). */
export type ApplyRetentionJob = Record<string, never>;

/** A report (`reportId`) that tied `otherIds` to the incident it joined (`incidentId`). */
export interface MergeTiedJob {
  reportId: string;
  incidentId: string;
  otherIds: string[];
}

/** Retrain the agreement's classifier from the commission's corrections (src/learning/retrain.ts). */
export interface RetrainModelJob {
  agreementId: string;
}

export interface ProcessReportJob {
  reportId: string;
}
export interface CompileDigestJob {
  trigger: 'scheduled' | 'on_demand';
  from?: string;
  to?: string;
  requestedById?: string;
}

/**
 * An event committed in the outbox, handed to the webhooks queue when some endpoint subscribes to it: the job makes
 * one delivery per subscribed endpoint. `eventId` names the fact (a retried job, or the same report queued again
 * for processing, is the same event).
 */
export interface DispatchEventJob {
  event: EventName;
  eventId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/** One delivery of an event to one endpoint; `round` is 1 at first and one more with every resend. */
export interface DeliverWebhookJob {
  deliveryId: string;
  round: number;
}

/** One notice to email to its recipient (src/notifications/email.ts). */
export interface EmailNotificationJob {
  notificationId: string;
}

/** Which queue and job an outbox topic becomes (event topics are also dispatched to webhooks: EVENTS). */
export const OUTBOX_ROUTES: Record<string, { queue: string; job: string }> = {
  [REPORT_RECEIVED]: { queue: QUEUES.reports, job: JOBS.processReport },
  [INCIDENTS_TIED]: { queue: QUEUES.incidents, job: JOBS.mergeTied },
  [WEBHOOK_DELIVERY]: { queue: QUEUES.webhooks, job: JOBS.deliverWebhook },
  [NOTIFICATION_EMAIL]: { queue: QUEUES.notifications, job: JOBS.emailNotification },
};

export const DEFAULT_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000 },
  // Completed jobs are kept a day so a re-published outbox event with the same job id is recognised and ignored.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  // Failed jobs are kept: they are the dead-letter view.
  removeOnFail: false,
} as const;

/**
 * Job options that depend on the configuration, by job name (the relay uses DEFAULT_JOB_OPTIONS for the others):
 * a webhook delivery is tried WEBHOOK_MAX_ATTEMPTS times, waiting WEBHOOK_BACKOFF_MS, then twice that, and so on.
 */
export function configuredJobOptions(config: {
  WEBHOOK_MAX_ATTEMPTS: number;
  WEBHOOK_BACKOFF_MS: number;
  NOTIFY_EMAIL_ATTEMPTS?: number;
  NOTIFY_EMAIL_BACKOFF_MS?: number;
}): Partial<Record<string, object>> {
  return {
    [JOBS.emailNotification]: {
      ...DEFAULT_JOB_OPTIONS,
      attempts: config.NOTIFY_EMAIL_ATTEMPTS ?? DEFAULT_JOB_OPTIONS.attempts,
      backoff: { type: 'exponential', delay: config.NOTIFY_EMAIL_BACKOFF_MS ?? DEFAULT_JOB_OPTIONS.backoff.delay },
    },
    [JOBS.deliverWebhook]: {
      ...DEFAULT_JOB_OPTIONS,
      attempts: config.WEBHOOK_MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: config.WEBHOOK_BACKOFF_MS },
    },
  };
}
