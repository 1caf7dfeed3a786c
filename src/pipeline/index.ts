// pipeline/: turning a received report into a processed one (classification, place, dedup into an incident)
// in one transaction, idempotently; the worker (workers/reports.ts) only calls processReport.
export { processReport, type PipelineDeps, type Outcome, type ProcessOptions } from './process.ts';
export { createAnalyzer } from './analyzer.ts';
export { markReportFailed } from './write.ts';
export type { Analyzer, Analysis, ReportForProcessing } from './types.ts';
