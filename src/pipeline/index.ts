// pipeline/: turning a received report into a processed one (classification, place, dedup into an incident)
// in one transaction, idempotently. The worker (workers/reports.ts) hands its jobs to a batcher, which runs
// many reports in one transaction (batch.ts) and falls back to processReport one by one.
export { processReport, type PipelineDeps, type Outcome, type ProcessOptions } from './process.ts';
export { createAnalyzer } from './analyzer.ts';
export { createBatcher, type Batcher, type BatcherOptions } from './batcher.ts';
export { processBatch, type BatchItem, type BatchOutcome } from './batch.ts';
export { markReportFailed } from '../reports/repository.ts';
export { createPgPool, pgTx } from '../db/pg-tx.ts';
export type { Analyzer, Analysis, ReportForProcessing } from './types.ts';
