// Report intake. A report, its attachment records and its processing job (outbox row) are committed in one
// statement before the caller answers 2xx; the outbox relay hands the job to BullMQ whenever Redis is reachable.
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { FileStore } from '../storage/files.ts';
import type { AuthUser } from '../auth/users.ts';
import { Conflict } from '../errors.ts';
import { prepareAttachments, type AttachmentLimits, type IncomingFile, type PreparedAttachment } from '../attachments/prepare.ts';
import { reportContentHash } from './content-hash.ts';
import { parseReportInput } from './validate.ts';
import type { ReportInput } from './schema.ts';
import { getReportRow, type ReportRow } from './repository.ts';
import { addAttachments, type ReportSource, type ReportWriter } from './writer.ts';

export interface IntakeDeps {
  db: Db;
  /** Group commit of new reports (writer.ts); one per process. */
  writer: ReportWriter;
  files: FileStore;
  clock: Clock;
  limits: AttachmentLimits & { maxNarrativeChars: number };
}

export interface SubmitResult { report: ReportRow; created: boolean }
export type { ReportSource };

export async function submitReport(
  deps: IntakeDeps, observer: AuthUser, raw: unknown, incoming: IncomingFile[], source: ReportSource,
): Promise<SubmitResult> {
  const input = parseReportInput(raw, deps.clock, deps.limits.maxNarrativeChars);
  const attachments = await prepareAttachments(incoming, deps.limits, offsetOf(input.observedAt));
  // Files are made durable first: a file without a row is never shown as evidence, a row without its file would be.
  for (const a of attachments) await deps.files.adopt(a.stagedPath, a.sha256);
  const contentHash = reportContentHash(input);
  const inserted = await deps.writer.insert({ observerId: observer.id, input, contentHash, attachments, source });
  if (inserted) return { report: inserted, created: true };
  return retried(deps, observer, input, contentHash, attachments);
}

async function retried(
  deps: IntakeDeps, observer: AuthUser, input: ReportInput, contentHash: string, attachments: PreparedAttachment[],
): Promise<SubmitResult> {
  const existing = await deps.db.report.findUnique({
    where: { observerId_clientId: { observerId: observer.id, clientId: input.clientId } },
    select: { id: true, contentHash: true },
  });
  if (!existing) throw new Error('report vanished between insert conflict and read');
  if (existing.contentHash !== contentHash) {
    throw new Conflict('this clientId was already used for a report with different content', { reportId: existing.id });
  }
  // A retry may bring evidence the first attempt lost on the way (ODK resends to complete attachments).
  if (attachments.length) await addAttachments(deps.db, existing.id, attachments);
  return { report: (await getReportRow(deps.db, existing.id))!, created: false };
}

function offsetOf(iso: string): string {
  const m = /([+-]\d{2}:\d{2}|Z)$/.exec(iso);
  return !m || m[1] === 'Z' ? '+00:00' : m[1]!;
}
