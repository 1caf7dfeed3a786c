// Processing one report: classify, resolve the place, extract dedup features, find candidate incidents and
// assign — then commit the report's results, its incident and the incident's aggregate in one transaction.
// Safe to run twice, concurrently or after a crash: the report row is locked and re-read inside the
// transaction, an unchanged input is a no-op, and incident counts are recomputed from membership, never
// incremented.
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { recomputeIncident } from '../incidents/aggregate.ts';
import { createPrismaCandidateStore } from '../incidents/prisma-store.ts';
import { effectiveClassification, sameEffective, type ReportCorrection } from './effective.ts';
import { loadReports, processingInputHash } from './load.ts';
import type { IncidentCandidateStore } from '../incidents/dedup.ts';
import type { Analysis, Analyzer, AutoClassification, ReportForProcessing, Tx } from './types.ts';
import { createIncident, lockBlocks, writeEffective, writeReportResult } from './write.ts';

export interface PipelineDeps { db: Db; clock: Clock; analyzer: Analyzer }
export type Outcome = 'missing' | 'unchanged' | 'corrected' | 'processed';
export interface ProcessOptions { attempt?: number; report?: ReportForProcessing }

// Generous: a run may queue behind others assigning in the same cells.
const TX_OPTIONS = { timeout: 30_000, maxWait: 15_000 };

const effectiveOf = (r: ReportForProcessing) =>
  effectiveClassification(r.classification as AutoClassification | null, r.correction as ReportCorrection | null);

export async function processReport(deps: PipelineDeps, reportId: string, opts: ProcessOptions = {}): Promise<Outcome> {
  const report = opts.report ?? (await loadReports(deps.db, [reportId])).get(reportId);
  if (!report) return 'missing';
  const inputHash = processingInputHash(report, deps.analyzer.version);
  if (report.status === 'processed' && report.inputHash === inputHash) {
    return sameEffective(effectiveOf(report), report) ? 'unchanged' : applyCorrection(deps, reportId);
  }
  let analysis = deps.analyzer.analyze(report);
  return deps.db.$transaction(async (tx) => {
    await lockBlocks(tx, analysis, report);
    const current = (await loadReports(tx, [reportId], { forUpdate: true })).get(reportId);
    if (!current) return 'missing';
    const currentHash = processingInputHash(current, deps.analyzer.version);
    if (current.status === 'processed' && current.inputHash === currentHash) return 'unchanged'; // another run got there first
    // Evidence added since the first read (an ODK resend): analyse what is committed now.
    if (currentHash !== inputHash) analysis = deps.analyzer.analyze(current);
    const effective = effectiveClassification(analysis.classification, current.correction as ReportCorrection | null);
    // Dedup compares what the report is taken to say: a reviewer's terms and stance, when given.
    if (effective.stance) analysis = { ...analysis, features: { ...analysis.features, terms: [...effective.terms].sort(), stance: effective.stance } };
    const pinned = current.incidentPinned && current.incidentId !== null;
    const assignment = pinned ? null : await deps.analyzer.assign(analysis.features, analysis.query, scopedStore(tx, current));
    const incidentId = pinned ? current.incidentId! : assignment!.incidentId ?? await ownOrNewIncident(tx, current, analysis);
    await writeReportResult(tx, reportId, {
      inputHash: currentHash, analysis, effective, incidentId, assignment, attempt: opts.attempt ?? 1, now: deps.clock.now(),
    });
    await recomputeIncident(tx, incidentId);
    if (current.incidentId && current.incidentId !== incidentId) await recomputeIncident(tx, current.incidentId);
    return 'processed';
  }, TX_OPTIONS);
}

/** A reprocessed report that matches nothing keeps the incident it has alone, instead of leaving it empty. */
async function ownOrNewIncident(tx: Tx, report: ReportForProcessing, analysis: Analysis): Promise<string> {
  if (report.incidentId) {
    const [other] = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Report" WHERE "incidentId" = ${report.incidentId}::uuid AND "id" <> ${report.id}::uuid LIMIT 1`;
    if (!other) return report.incidentId;
  }
  return createIncident(tx, report, analysis);
}

/** Only the correction changed: the effective terms and the incident aggregate follow, placement stays. */
async function applyCorrection(deps: PipelineDeps, reportId: string): Promise<Outcome> {
  return deps.db.$transaction(async (tx) => {
    const current = (await loadReports(tx, [reportId], { forUpdate: true })).get(reportId);
    if (!current) return 'missing';
    const effective = effectiveOf(current);
    if (sameEffective(effective, current)) return 'unchanged';
    await writeEffective(tx, reportId, effective);
    if (current.incidentId) await recomputeIncident(tx, current.incidentId);
    return 'corrected';
  }, TX_OPTIONS);
}

/** The report never matches itself, and a reprocessed report is not offered incidents separated from its own. */
function scopedStore(tx: Tx, report: ReportForProcessing): IncidentCandidateStore {
  const store = createPrismaCandidateStore(tx, { excludeReportId: report.id });
  return {
    async findCandidates(q) {
      const found = await store.findCandidates(q);
      return report.incidentId ? found.filter((c) => !c.separatedFrom.includes(report.incidentId!)) : found;
    },
  };
}
