// An OpenRosa submission becomes an ordinary report through the same intake as POST /api/reports
// (validation, attachment sniffing, content hash, idempotency per observer and clientId, outbox job).
import type { AuthUser } from '../users/index.ts';
import { Invalid } from '../errors.ts';
import { submitReport, type IntakeDeps, type SubmitResult } from '../reports/service.ts';
import { formField, parseSubmission, type ParsedSubmission } from './submission.ts';
import { DEFAULT_MAX_XML_BYTES, readXml, type XmlElement } from './xml.ts';
import { FOLLOWUP_ID, parseFollowup } from './followup.ts';
import { addToReport } from '../reports/additions.ts';
import { editReport } from '../reports/edits.ts';
import type { IncomingFile } from '../attachments/prepare.ts';
import { readFile } from 'node:fs/promises';

export const XML_PART = 'xml_submission_file';

/**
 * `parts`: the staged file parts of the multipart body; `xmlText`: the XML when a client sent it as a plain text
 * field instead of a file part. The XML part is read into memory (it is bounded by readXml); evidence stays on disk.
 */
export async function receiveSubmission(
  intake: IntakeDeps,
  observer: AuthUser,
  parts: IncomingFile[],
  opts: { maxXmlBytes?: number; xmlText?: Buffer } = {},
): Promise<
  | (SubmitResult & { kind: 'report'; edited: boolean; submission: ParsedSubmission })
  | { kind: 'followup'; additionId: string; reportId: string }
> {
  const xmlParts = parts.filter((p) => p.field === XML_PART);
  const count = xmlParts.length + (opts.xmlText ? 1 : 0);
  if (count !== 1) {
    throw new Invalid([{ field: XML_PART, reason: count ? 'sent more than once' : 'missing multipart part' }], 400);
  }
  const maxBytes = opts.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
  const xml = opts.xmlText ?? (xmlParts[0]!.sizeBytes > maxBytes ? null : await readFile(xmlParts[0]!.stagedPath));
  if (!xml) throw new Invalid([{ field: XML_PART, reason: `larger than ${maxBytes} bytes` }], 413);
  const root = readXml(xml, maxBytes);
  if (root.attributes.id?.trim() === FOLLOWUP_ID) return receiveFollowup(intake, observer, root, parts);
  const submission = parseSubmission(root);
  const files = referencedFiles(parts, submission.attachmentNames);
  // An edit of a sent form is a new version of that report (reports/edits.ts), not a second report.
  const result = await inFormTerms(() =>
    submission.deprecatedId
      ? editReport(intake, observer, submission.deprecatedId, submission.input, files, 'openrosa')
      : submitReport(intake, observer, submission.input, files, 'openrosa'),
  );
  return { kind: 'report', edited: false, ...result, submission };
}

/** An answer or addition sent with the follow-up form: an addition to the chosen report, once per instanceID. */
async function receiveFollowup(intake: IntakeDeps, observer: AuthUser, root: XmlElement, parts: IncomingFile[]) {
  const followup = parseFollowup(root);
  const files = referencedFiles(parts, followup.attachmentNames);
  const addition = await inFormTerms(() =>
    addToReport(intake, observer, followup.reportId, { text: followup.text }, files, followup.instanceId),
  );
  return { kind: 'followup' as const, additionId: addition.id, reportId: followup.reportId };
}

/**
 * The file parts the form references. Collect names each after its file; a part the form does not reference
 * (Kobo's audit.csv, a stray file) is not evidence and must not fail the submission on its type.
 */
function referencedFiles(parts: IncomingFile[], names: string[]): IncomingFile[] {
  const wanted = new Set(names);
  const seen = new Set<string>();
  const files: IncomingFile[] = [];
  for (const p of parts) {
    const name = wanted.has(p.originalName) ? p.originalName : p.field && wanted.has(p.field) ? p.field : null;
    if (p.field === XML_PART || !name || seen.has(name)) continue;
    seen.add(name);
    files.push({ ...p, originalName: name });
  }
  return files;
}

// Intake speaks the API's field names; Collect shows the form's questions.
const FOLLOWUP_FIELD: Record<string, string> = { text: 'answer', attachments: 'photo' };
async function inFormTerms<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Invalid) {
      throw new Invalid(
        err.issues.map((i) => ({ ...i, field: FOLLOWUP_FIELD[i.field] ?? formField(i.field) })),
        err.status,
      );
    }
    throw err;
  }
}
