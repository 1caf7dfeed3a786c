// The writes of one processing run, all inside the caller's transaction: block locks and the report's results. Raw SQL keeps each to one round trip on the hot path.
import { LOOKUP_SETTINGS } from '../incidents/prisma-store.ts';
import type { Analysis, Assignment, ReportForProcessing, Tx } from './types.ts';
import type { Effective } from './effective.ts';
import { INCIDENTS_TIED, type MergeTiedJob } from '../queue/names.ts';

// Reports that could land in the same incident share a cell, a place or a photo; taking these locks (sorted,
// in one statement, so two runs never wait on each other in opposite order) means two such reports are
// assigned one after the other and cannot both open a new incident for the same event. The same statement sets
// the candidate lookup's settings for the transaction (LOOKUP_SETTINGS).
export async function lockBlocks(tx: Tx, analysis: Analysis, report: ReportForProcessing): Promise<void> {
  const keys = [
    ...analysis.query.cells.map((c) => `cell:${c}`),
    ...(analysis.place.key ? [`place:${analysis.place.key}`] : []),
    ...report.attachmentHashes.map((h) => `sha:${h}`),
  ];
  if (!keys.length) return;
  await tx.$queryRaw`SELECT ${LOOKUP_SETTINGS}, (SELECT count(pg_advisory_xact_lock(k)) FROM
    (SELECT DISTINCT hashtextextended(x, 2020) AS k FROM unnest(${keys}::text[]) AS x ORDER BY 1) AS s)::int AS locked`;
}

export interface ReportResult {
  inputHash: string;
  analysis: Analysis;
  effective: Effective;
  incidentId: string;
  /** Null when a reviewer pinned the report: their placement, score and reasons stay as they are. */
  assignment: Assignment | null;
  attempt: number;
  now: Date;
}

export async function writeReportResult(tx: Tx, reportId: string, r: ReportResult): Promise<void> {
  const a = r.analysis;
  const json = (v: unknown) => JSON.stringify(v ?? null);
  const keep = r.assignment === null;
  await tx.$executeRaw`UPDATE "Report" SET "status" = 'processed', "failureReason" = NULL, "processedAt" = ${r.now},
    "attempts" = GREATEST("attempts", ${r.attempt}), "inputHash" = ${r.inputHash}, "language" = ${a.language},
    "normalizedText" = ${a.normalizedText}, "resolvedPlace" = ${a.place.name}, "resolvedLat" = ${a.place.lat},
    "resolvedLon" = ${a.place.lon}, "geoCell" = ${a.geoCell}, "placeKey" = ${a.place.key}, "features" = ${json(a.features)}::jsonb,
    "classification" = ${json(a.classification)}::jsonb, "terms" = ${r.effective.terms}::text[],
    "stance" = ${r.effective.stance}::"Stance", "confidence" = ${r.effective.confidence}, "incidentId" = ${r.incidentId}::uuid,
    "assignmentScore" = CASE WHEN ${keep} THEN "assignmentScore" ELSE ${r.assignment?.score ?? null}::float8 END,
    "assignmentReasons" = CASE WHEN ${keep} THEN "assignmentReasons" ELSE ${json(r.assignment?.reasons)}::jsonb END
    WHERE "id" = ${reportId}::uuid`;
}

/** A correction changed what the report says: its effective columns and the features dedup compares follow. */
export async function writeEffective(tx: Tx, reportId: string, e: Effective): Promise<void> {
  const sorted = [...e.terms].sort();
  await tx.$executeRaw`UPDATE "Report" SET "terms" = ${e.terms}::text[], "stance" = ${e.stance}::"Stance", "confidence" = ${e.confidence},
    "features" = CASE WHEN "features" IS NULL OR ${e.stance}::text IS NULL THEN "features"
      ELSE "features" || jsonb_build_object('terms', to_jsonb(${sorted}::text[]), 'stance', ${e.stance}::text) END
    WHERE "id" = ${reportId}::uuid`;
}

/** After the last retry: the report shows why it failed. One that was processed before keeps its results. */
export async function markReportFailed(db: Tx, reportId: string, reason: string, attempt: number): Promise<void> {
  await db.$executeRaw`UPDATE "Report" SET "failureReason" = ${reason.slice(0, 2000)}, "attempts" = GREATEST("attempts", ${attempt}),
    "status" = CASE WHEN "status" = 'processed' THEN "status" ELSE 'failed'::"ReportStatus" END
    WHERE "id" = ${reportId}::uuid`;
}

/**
 * A report that matched two incidents firmly ties them: they are merged by a job of their own (through the same
 * merge reviewers use, audited and reversible by a split, never against a reviewer's separation), queued in this
 * transaction through the outbox so the tie is not lost if the process dies after the commit.
 */
export async function queueTiedMerges(tx: Tx, ties: MergeTiedJob[]): Promise<void> {
  if (!ties.length) return;
  await tx.$executeRaw`INSERT INTO "OutboxEvent" ("topic", "payload")
    SELECT ${INCIDENTS_TIED}, t FROM jsonb_array_elements(${JSON.stringify(ties)}::jsonb) AS t`;
}
