// Queue names and job payloads, declared once; producers (outbox relay, API) and workers import them.
// Payloads carry ids, never copies of rows: a job always works on the current state of the database.

/** Outbox topic written with every accepted report (and with evidence added to one). */
export const REPORT_RECEIVED = 'report.received';
/** Outbox topic written when a report matched two incidents firmly enough to tie them (dedup merges them). */
export const INCIDENTS_TIED = 'incidents.tied';

export const QUEUES = {
  reports: 'reports',
  digests: 'digests',
  models: 'models',
  incidents: 'incidents',
  retention: 'retention',
} as const;

export const JOBS = {
  processReport: 'process-report',
  compileDigest: 'compile-digest',
  retrainModel: 'retrain-model',
  mergeTied: 'merge-tied',
  applyRetention: 'apply-retention',
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

/** Which queue and job an outbox topic becomes. */
export const OUTBOX_ROUTES: Record<string, { queue: string; job: string }> = {
  [REPORT_RECEIVED]: { queue: QUEUES.reports, job: JOBS.processReport },
  [INCIDENTS_TIED]: { queue: QUEUES.incidents, job: JOBS.mergeTied },
};

export const DEFAULT_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000 },
  // Completed jobs are kept a day so a re-published outbox event with the same job id is recognised and ignored.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  // Failed jobs are kept: they are the dead-letter view.
  removeOnFail: false,
} as const;
