// An OpenRosa submission becomes an ordinary report through the same intake as POST /api/reports
// (validation, attachment sniffing, content hash, idempotency per observer and clientId, outbox job).
import type { AuthUser } from '../users/index.ts';
import { Invalid } from '../errors.ts';
import { submitReport, type IntakeDeps, type SubmitResult } from '../reports/service.ts';
import { formField, parseSubmission, type ParsedSubmission } from './submission.ts';
import { DEFAULT_MAX_XML_BYTES } from './xml.ts';
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
): Promise<SubmitResult & { submission: ParsedSubmission }> {
  const xmlParts = parts.filter((p) => p.field === XML_PART);
  const count = xmlParts.length + (opts.xmlText ? 1 : 0);
  if (count !== 1) {
    throw new Invalid([{ field: XML_PART, reason: count ? 'sent more than once' : 'missing multipart part' }], 400);
  }
  const maxBytes = opts.maxXmlBytes ?? DEFAULT_MAX_XML_BYTES;
  const xml = opts.xmlText ?? (xmlParts[0]!.sizeBytes > maxBytes ? null : await readFile(xmlParts[0]!.stagedPath));
  if (!xml) throw new Invalid([{ field: XML_PART, reason: `larger than ${maxBytes} bytes` }], 413);
  const submission = parseSubmission(xml, { maxBytes });
  // Collect names each attachment part after its file; a part the form does not reference (Kobo's
  // audit.csv, a stray file) is not evidence and must not fail the report on its type.
  const wanted = new Set(submission.attachmentNames);
  const seen = new Set<string>();
  const files: IncomingFile[] = [];
  for (const p of parts) {
    const name = wanted.has(p.originalName) ? p.originalName : p.field && wanted.has(p.field) ? p.field : null;
    if (p.field === XML_PART || !name || seen.has(name)) continue;
    seen.add(name);
    files.push({ ...p, originalName: name });
  }
  try {
    const result = await submitReport(intake, observer, submission.input, files, 'openrosa');
    return { ...result, submission };
  } catch (err) {
    // Intake speaks the API's field names; Collect shows the form's questions.
    if (err instanceof Invalid) {
      throw new Invalid(
        err.issues.map((i) => ({ ...i, field: formField(i.field) })),
        err.status,
      );
    }
    throw err;
  }
}
