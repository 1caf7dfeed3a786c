// Processing one report: classify, resolve the place, extract dedup features, find candidate incidents and
// assign — then commit the report's results, its incident and the incident's aggregate in one transaction.
// Safe to run twice, concurrently or after a crash: the report row is locked first (a second run of the same
// report waits, then sees an unchanged input and does nothing), and a report is folded into its incident's
// tally only in the transaction that first gives it an incident. About seven round trips for a report that opens an incident, eight for one
// that joins an incident.
import type pg from 'pg';
import { hashReportPhotos } from '../attachments/photo-hashes.ts';
import type { Clock } from '../clock.ts';
import type { FileStore } from '../storage/files.ts';
import type { Db, SqlTx } from '../db/client.ts';
import type { IncidentCandidateStore } from '../dedup/dedup.ts';
import { createPrismaCandidateStore } from '../dedup/repository.ts';
import {
  insertIncidents,
  joinIncidents,
  joinTargets,
  recomputeIncident,
  recomputeIncidents,
  type AggregateMember,
} from '../incidents/aggregate.ts';
import {
  loadReportsForProcessing,
  otherReportInIncident,
  writeEffective,
  writeReportResult,
} from '../reports/repository.ts';
import { lockBlocks } from './blocks.ts';
import type { IncidentEvent, IncidentEventSink } from '../live/events.ts';
import { effectiveClassification, sameEffective, type Effective, type ReportCorrection } from './effective.ts';
import { processingInputHash } from './input-hash.ts';
import { queueTiedMerges } from './ties.ts';
import { carrySeparations } from '../incidents/repository.ts';
import type { Analysis, Analyzer, AutoClassification, ReportForProcessing } from './types.ts';

export interface PipelineDeps {
  db: Db;
  clock: Clock;
  analyzer: Analyzer;
  /** When given, batches run on it instead of a Prisma transaction (pg-tx.ts): the worker's hot path. */
  pool?: pg.Pool;
  /** When given, the reports' photos are hashed (src/attachments/photo-hashes.ts) before they are processed. */
  files?: FileStore;
  /** Told which incidents a committed run opened or changed (live queue updates, src/live). */
  events?: IncidentEventSink;
  /** Told what became of the reports processed, once committed (metrics). */
  observe?: (facts: ProcessedFact[]) => void;
}
export type Outcome = 'missing' | 'unchanged' | 'corrected' | 'processed';
/** What became of a report processed (PipelineDeps.observe). */
export interface ProcessedFact {
  stance: string | null;
  terms: readonly string[];
  /** Whether the report opened an incident or joined one. */
  incident: 'opened' | 'joined';
  /** It matched further incidents firmly enough to tie them (dedup merges them). */
  tied: boolean;
}
export interface ProcessOptions {
  attempt?: number;
}

// Generous: a run may queue behind others assigning in the same cells.
const TX_OPTIONS = { timeout: 30_000, maxWait: 15_000 };

export async function processReport(deps: PipelineDeps, reportId: string, opts: ProcessOptions = {}): Promise<Outcome> {
  await hashPhotos(deps, [reportId]);
  const events: IncidentEvent[] = [];
  let fact: ProcessedFact | null = null;
  const outcome = await deps.db.$transaction(async (tx): Promise<Outcome> => {
    // The row lock comes first and the block locks second; another run only ever waits on this row before
    // it takes block locks, so the two kinds of lock cannot deadlock.
    const report = (await loadReportsForProcessing(tx, [reportId], { forUpdate: true })).get(reportId);
    if (!report) return 'missing';
    const inputHash = processingInputHash(report, deps.analyzer.version);
    const stored = effectiveClassification(
      report.classification as AutoClassification | null,
      report.correction as ReportCorrection | null,
    );
    if (report.status === 'processed' && report.inputHash === inputHash) {
      const corrected = await applyCorrection(tx, report, stored);
      // A reviewer's correction of one report changed what its incident says (terms, stance, severity).
      if (corrected === 'corrected' && report.incidentId)
        events.push({ incidentId: report.incidentId, kind: 'corrected' });
      return corrected;
    }

    let analysis = deps.analyzer.analyze(report);
    const effective = effectiveClassification(analysis.classification, report.correction as ReportCorrection | null);
    // Dedup compares what the report is taken to say: a reviewer's terms and stance, when given.
    if (effective.stance)
      analysis = {
        ...analysis,
        features: { ...analysis.features, terms: [...effective.terms].sort(), stance: effective.stance },
      };
    await lockBlocks(tx, analysis, report);

    // A reviewer's merge or split pins a report to its incident (dedup's own tie merges do not); so does a reviewer's
    // correction, made while looking at the report in that incident: a rerun for a new model version must not move
    // what a human has already judged.
    const pinned = (report.incidentPinned || report.correction !== null) && report.incidentId !== null;
    const assignment = pinned
      ? null
      : await deps.analyzer.assign(analysis.features, analysis.query, scopedStore(tx, report));
    let incidentId = pinned ? report.incidentId! : (assignment!.incidentId ?? (await ownIncident(tx, report)));
    if (incidentId !== null) {
      // Locked (with the incident it leaves, in one ordered statement) and followed to where it was merged into.
      const targets = await joinTargets(tx, report.incidentId ? [incidentId, report.incidentId] : [incidentId]);
      incidentId = targets.get(incidentId)!;
    }
    const opened = incidentId === null;
    const member = asMember(report, analysis, effective);
    // A new incident is written with its aggregate at once: its only member is this report.
    if (incidentId === null) {
      [incidentId] = (await insertIncidents(tx, [{ members: [member] }])) as [string];
      // A rerun that takes the report out of an incident a reviewer split from others: the report was judged with
      // that incident's reports, so its own incident stays apart from those others too.
      if (report.incidentId !== null) await carrySeparations(tx, report.incidentId, incidentId);
    }
    await writeReportResult(tx, reportId, {
      inputHash,
      analysis,
      effective,
      incidentId,
      assignment,
      attempt: opts.attempt ?? 1,
      now: deps.clock.now(),
    });
    if (assignment?.merge?.length) await queueTiedMerges(tx, [{ reportId, incidentId, otherIds: assignment.merge }]);
    // A first run joins (the tally takes the one new member); a rerun may have changed what the report brings to
    // its incident, or moved it: those incidents are recomputed from their members.
    if (report.incidentId === null) {
      if (!opened) await joinIncidents(tx, new Map([[incidentId, [member]]]));
    } else {
      await recomputeIncidents(tx, opened ? [report.incidentId] : [incidentId, report.incidentId]);
    }
    events.push({ incidentId, kind: opened ? 'opened' : report.incidentId === null ? 'joined' : 'reprocessed' });
    if (report.incidentId !== null && report.incidentId !== incidentId)
      events.push({ incidentId: report.incidentId, kind: 'reprocessed' });
    fact = {
      stance: effective.stance,
      terms: effective.terms,
      incident: opened ? 'opened' : 'joined',
      tied: !!assignment?.merge?.length,
    };
    return 'processed';
  }, TX_OPTIONS);
  deps.events?.(events);
  if (fact) deps.observe?.([fact]);
  return outcome;
}

/** Outside the transaction: decoding photos must not hold the reports' row locks. */
export async function hashPhotos(deps: PipelineDeps, reportIds: string[]): Promise<void> {
  if (deps.files) await hashReportPhotos({ db: deps.db, files: deps.files }, reportIds);
}

/** Nothing the machine reads changed; a reviewer's correction may have: effective terms and aggregate follow. */
async function applyCorrection(tx: SqlTx, report: ReportForProcessing, effective: Effective): Promise<Outcome> {
  if (sameEffective(effective, report)) return 'unchanged';
  await writeEffective(tx, report.id, effective);
  if (report.incidentId) await recomputeIncident(tx, report.incidentId);
  return 'corrected';
}

/** A reprocessed report that matches nothing keeps the incident it has alone, instead of leaving it empty. */
async function ownIncident(tx: SqlTx, report: ReportForProcessing): Promise<string | null> {
  if (!report.incidentId) return null;
  return (await otherReportInIncident(tx, report.incidentId, report.id)) ? null : report.incidentId;
}

/** What a processed report brings to its incident's aggregate (one-by-one and batched runs alike). */
export function asMember(r: ReportForProcessing, a: Analysis, e: Effective): AggregateMember {
  return {
    lat: r.lat,
    lon: r.lon,
    resolvedLat: a.place.lat,
    resolvedLon: a.place.lon,
    geoCell: a.geoCell,
    placeName: r.placeName,
    resolvedPlace: a.place.name,
    observedAt: r.observedAt,
    language: a.language,
    partyAlleged: r.partyAlleged,
    casualties: r.casualties,
    terms: e.terms,
    stance: e.stance,
    confidence: e.confidence,
  };
}

/** The report never matches itself, and a reprocessed report is not offered incidents separated from its own. */
function scopedStore(tx: SqlTx, report: ReportForProcessing): IncidentCandidateStore {
  const store = createPrismaCandidateStore(tx, { excludeReportId: report.id });
  return {
    async findCandidates(q) {
      const found = await store.findCandidates(q);
      return report.incidentId ? found.filter((c) => !c.separatedFrom.includes(report.incidentId!)) : found;
    },
  };
}
