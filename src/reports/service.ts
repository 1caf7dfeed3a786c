// Report intake. A report, its attachment records and its processing job (outbox row) are committed in one
// statement before the caller answers 2xx; the outbox relay hands the job to BullMQ whenever Redis is reachable.
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { FileStore } from '../storage/files.ts';
import type { AuthUser } from '../users/index.ts';
import { Conflict, Invalid } from '../errors.ts';
import { appendAudit } from '../audit/index.ts';
import {
  prepareAttachments,
  type AttachmentLimits,
  type IncomingFile,
  type PreparedAttachment,
} from '../attachments/prepare.ts';
import { reportContentHash } from './content-hash.ts';
import { parseReportInput } from './validate.ts';
import { judgeObservedAt } from './flags.ts';
import type { ReportInput } from './schema.ts';
import {
  addAttachments,
  findByClientId,
  getReportRow,
  lockForEvidence,
  type ReportRow,
  type ReportSource,
} from './repository.ts';
import type { ReportWriter } from './writer.ts';
import type { Charge, IntakeQuota } from './quota.ts';
import { TooManyRequests } from '../errors.ts';
import type { IncidentEventSink } from '../live/events.ts';

export interface IntakeDeps {
  db: Db;
  /** Group commit of new reports (writer.ts); one per process. */
  writer: ReportWriter;
  files: FileStore;
  clock: Clock;
  limits: AttachmentLimits & { maxNarrativeChars: number };
  /** Per-account quota on new reports (quota.ts); none in tools that file reports directly. */
  quota?: IntakeQuota;
  /** Told of each new report stored (metrics). */
  metrics?: { reportAccepted(source: ReportSource): void };
  /** Told when an observer's addition changed an incident (live pages); new reports are told by the pipeline. */
  events?: IncidentEventSink;
}

export interface SubmitResult {
  report: ReportRow;
  created: boolean;
}
export type { ReportSource };

export async function submitReport(
  deps: IntakeDeps,
  observer: AuthUser,
  raw: unknown,
  incoming: IncomingFile[],
  source: ReportSource,
): Promise<SubmitResult> {
  const input = parseReportInput(raw, deps.limits.maxNarrativeChars);
  const judged = judgeObservedAt(input.observedAt, deps.clock.now());
  const charge = await chargeQuota(deps, observer, input.clientId);
  // Only a new stored report keeps its point: a retry, or a report refused on the way, gives it back.
  let created = false;
  try {
    const attachments = await keepEvidence(deps, incoming, offsetOf(input.observedAt));
    const contentHash = reportContentHash(input);
    const inserted = await deps.writer.insert({
      observerId: observer.id,
      input,
      contentHash,
      attachments,
      source,
      judged,
    });
    created = inserted !== null;
    if (created) deps.metrics?.reportAccepted(source);
    return inserted ? { report: inserted, created } : await retried(deps, observer, input, contentHash, attachments);
  } finally {
    if (!created) await charge?.giveBack();
  }
}

/**
 * The files of a submission checked and made durable in the store before any row cites them: a file without a row is
 * never shown as evidence, a row without its file would be. `offset`: the zone the photos' EXIF times are read in.
 */
export async function keepEvidence(
  deps: Pick<IntakeDeps, 'files' | 'limits'>,
  incoming: IncomingFile[],
  offset?: string,
): Promise<PreparedAttachment[]> {
  const attachments = await prepareAttachments(incoming, deps.limits, offset);
  for (const a of attachments) await deps.files.adopt(a.stagedPath, a.sha256);
  return attachments;
}

/**
 * A new report takes a point of its account's quota (consumed before anything is stored, so two requests cannot
 * both take the last one). Over the quota, the report is refused unless it is a retry of one already stored:
 * a retry is answered as ever, and counts for nothing.
 */
async function chargeQuota(deps: IntakeDeps, observer: AuthUser, clientId: string): Promise<Charge | null> {
  if (!deps.quota) return null;
  try {
    return await deps.quota.take(observer.id);
  } catch (err) {
    if (!(err instanceof TooManyRequests)) throw err;
    const stored = await findByClientId(deps.db, observer.id, clientId);
    if (stored) return null;
    throw err;
  }
}

async function retried(
  deps: IntakeDeps,
  observer: AuthUser,
  input: ReportInput,
  contentHash: string,
  attachments: PreparedAttachment[],
): Promise<SubmitResult> {
  const existing = await findByClientId(deps.db, observer.id, input.clientId);
  if (!existing) throw new Error('report vanished between insert conflict and read');
  if (existing.contentHash !== contentHash) {
    throw new Conflict('this clientId was already used for a report with different content', { reportId: existing.id });
  }
  // A retry may bring evidence the first attempt lost on the way (ODK resends to complete attachments).
  if (attachments.length) await addRetriedEvidence(deps, observer, existing.id, attachments);
  return { report: (await getReportRow(deps.db, existing.id))!, created: false };
}

// Incidents with a decision: evidence arriving after it would change what was decided on without anyone seeing it.
export const DECIDED_STATES = new Set(['verified', 'rejected']);

/**
 * Evidence a retry brings follows the same rules as the first submission: the report's files together stay within
 * the per-report limit, nothing is added once its incident is decided, and what is added is audited with it.
 * The report row is locked so two retries racing cannot both pass the count.
 */
export async function addRetriedEvidence(
  deps: IntakeDeps,
  observer: AuthUser,
  reportId: string,
  attachments: PreparedAttachment[],
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const row = await lockForEvidence(tx, reportId);
    const fresh = newEvidence(row?.stored ?? [], attachments);
    if (fresh.length === 0) return; // the same evidence again: nothing to do, as for any retry
    if (row?.state && DECIDED_STATES.has(row.state)) {
      throw new Conflict(`the incident of this report is already ${row.state}; send the new evidence as a new report`, {
        reportId,
      });
    }
    assertRoomFor(row?.stored.length ?? 0, fresh.length, deps.limits.maxAttachments);
    await addAttachments(tx, reportId, fresh);
    await appendAudit(
      tx,
      {
        actorId: observer.id,
        actorName: observer.username,
        action: 'evidence_added',
        entityType: 'report',
        entityId: reportId,
        after: {
          attachments: fresh.map((a) => ({
            sha256: a.sha256,
            mime: a.mime,
            sizeBytes: a.sizeBytes,
            originalName: a.originalName,
          })),
        },
      },
      deps.clock,
    );
  });
}

/** The files not stored with the report yet, each once. */
export function newEvidence(stored: string[], attachments: PreparedAttachment[]): PreparedAttachment[] {
  const known = new Set(stored);
  return attachments.filter(
    (a, i) => !known.has(a.sha256) && attachments.findIndex((b) => b.sha256 === a.sha256) === i,
  );
}

/** A report's files together stay within the per-report limit, however many times they are added to. */
export function assertRoomFor(stored: number, fresh: number, max: number): void {
  if (stored + fresh <= max) return;
  throw new Invalid(
    [{ field: 'attachments', reason: `at most ${max} files per report (${stored} already stored)` }],
    413,
  );
}

/** The offset an ISO time was written with (EXIF times in photos are read in it). */
export function offsetOf(iso: string): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(iso);
  return !m || m[1] === 'Z' ? '+00:00' : m[1]!;
}
