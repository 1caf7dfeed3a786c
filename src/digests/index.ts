// Digests: the weekly compliance digest, compiled purely from incident/report rows, stored, and rendered as HTML, PDF or JSON.
export { compileDigest, type CompileOptions } from './compile.ts';
export {
  compileDigestJob,
  createDigest,
  getDigest,
  listDigests,
  loadDigestInput,
  type DigestRequest,
  type DigestTrigger,
} from './service.ts';
export { lastCompletedWeek, previousPeriod, type Period } from './period.ts';
export type { DigestAgreement, DigestData, DigestInput, DigestIncident, DigestReport, Lang } from './types.ts';
export { renderDigestHtml } from './html.ts';
export { renderDigestPdf } from './pdf.ts';
