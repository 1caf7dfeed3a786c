// Whether a report needs processing again: the hash of what processing reads.
import { createHash } from 'node:crypto';
import type { ReportForProcessing } from './types.ts';

/** What processing read: the submitted content, the evidence files, and which analyzer read them. A report
 * whose hash is unchanged since it was processed needs no work; a reviewer's correction is not part of it
 * (it changes the effective terms, not what the machine concluded). */
export function processingInputHash(
  r: Pick<ReportForProcessing, 'contentHash' | 'attachmentHashes'>,
  analyzerVersion: string,
): string {
  return createHash('sha256')
    .update(`${analyzerVersion}\n${r.contentHash}\n${[...r.attachmentHashes].sort().join(',')}`)
    .digest('hex');
}
