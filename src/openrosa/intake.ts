// An OpenRosa submission becomes an ordinary report through the same intake as POST /api/reports
// (validation, attachment sniffing, content hash, idempotency per observer and clientId, outbox job).
import type { AuthUser } from '../auth/users.ts';
import { Invalid } from '../errors.ts';
import { submitReport, type IntakeDeps, type SubmitResult } from '../reports/service.ts';
import { parseSubmission, type ParsedSubmission } from './submission.ts';

export const XML_PART = 'xml_submission_file';

export interface SubmissionPart { field: string; fileName: string; buffer: Buffer }

export async function receiveSubmission(
  intake: IntakeDeps, observer: AuthUser, parts: SubmissionPart[], opts: { maxXmlBytes?: number } = {},
): Promise<SubmitResult & { submission: ParsedSubmission }> {
  const xmlParts = parts.filter((p) => p.field === XML_PART);
  if (xmlParts.length !== 1) {
    throw new Invalid([{ field: XML_PART, reason: xmlParts.length ? 'sent more than once' : 'missing multipart part' }], 400);
  }
  const submission = parseSubmission(xmlParts[0].buffer, { maxBytes: opts.maxXmlBytes });
  // Collect names each attachment part after its file; a part the form does not reference (Kobo's
  // audit.csv, a stray file) is not evidence and must not fail the report on its type.
  const wanted = new Set(submission.attachmentNames);
  const seen = new Set<string>();
  const files = [];
  for (const p of parts) {
    const name = wanted.has(p.fileName) ? p.fileName : wanted.has(p.field) ? p.field : null;
    if (p.field === XML_PART || !name || seen.has(name)) continue;
    seen.add(name);
    files.push({ buffer: p.buffer, originalName: name });
  }
  const result = await submitReport(intake, observer, submission.input, files, 'openrosa');
  return { ...result, submission };
}
