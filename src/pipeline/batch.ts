// Processing many reports in one transaction with a handful of round trips instead of seven or eight per
// report: one locking read of all reports, one statement taking the block locks of all of them (sorted), one
// candidate lookup for all of them, the assignments decided one after the other in memory (a report sees the
// reports of its batch assigned before it, exactly as it would see them committed when processed one by
// one), then the new incidents, the report results and the aggregates of the incidents joined, each written
// in one statement. Only reports that are not yet in an incident are processed here; a reprocessing run of a
// report that has an incident (pinned, separated, leaving one for another) or a correction to apply is
// deferred to processReport, which the caller runs after the batch commits.
import { randomUUID } from 'node:crypto';
import type { SqlTx } from '../db/client.ts';
import { inPgTransaction } from '../db/pg-tx.ts';
import type { CandidateIncident, CandidateQuery } from '../dedup/dedup.ts';
import type { ReportFeatures } from '../dedup/features.ts';
import {
  DEFAULT_LIMITS,
  findCandidatesMany,
  incidentMembers,
  lockBlockKeys,
  type CandidateRow,
} from '../dedup/repository.ts';
import { insertIncidents, joinIncidents, joinTargets, type AggregateMember } from '../incidents/aggregate.ts';
import { loadReportsForProcessing, writeReportResults, type ProcessedReport } from '../reports/repository.ts';
import { effectiveClassification, sameEffective, type ReportCorrection } from './effective.ts';
import { processingInputHash } from './input-hash.ts';
import { queueTiedMerges } from './ties.ts';
import type { IncidentEvent } from '../live/events.ts';
import { asMember, hashPhotos, type PipelineDeps, type Outcome, type ProcessedFact } from './process.ts';
import type { AutoClassification, ReportForProcessing } from './types.ts';

export interface BatchItem {
  reportId: string;
  attempt: number;
}
/** 'deferred': the caller runs processReport for it once the batch has committed. */
export type BatchOutcome = Outcome | 'deferred';

const TX_OPTIONS = { timeout: 30_000, maxWait: 15_000 };

interface Fresh extends ProcessedReport {
  report: ReportForProcessing;
}

/** What a report assigned earlier in the batch looks like to the candidate lookup of a later one. */
interface BatchMember {
  incidentId: string;
  features: ReportFeatures;
  t: number;
  geoCell: string | null;
  placeKey: string | null;
  hashes: string[];
}

export async function processBatch(deps: PipelineDeps, items: BatchItem[]): Promise<BatchOutcome[]> {
  await hashPhotos(deps, [...new Set(items.map((i) => i.reportId))]);
  const events: IncidentEvent[] = [];
  const facts: ProcessedFact[] = [];
  const outcomes = deps.pool
    ? await inPgTransaction(deps.pool, (tx) => runBatch(tx, deps, items, events, facts))
    : await deps.db.$transaction((tx) => runBatch(tx, deps, items, events, facts), TX_OPTIONS);
  deps.events?.(events);
  if (facts.length) deps.observe?.(facts);
  return outcomes;
}

async function runBatch(
  tx: SqlTx,
  deps: PipelineDeps,
  items: BatchItem[],
  events: IncidentEvent[],
  facts: ProcessedFact[],
): Promise<BatchOutcome[]> {
  // A transaction run again starts over.
  events.length = 0;
  facts.length = 0;
  const outcomes: BatchOutcome[] = new Array(items.length);
  // Row locks first, in id order (two batches sharing a report queue instead of deadlocking); block locks second.
  const reports = await loadReportsForProcessing(tx, [...new Set(items.map((i) => i.reportId))], { forUpdate: true });
  const fresh: Array<Fresh & { index: number }> = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const report = reports.get(item.reportId);
    if (!report) {
      outcomes[index] = 'missing';
      return;
    }
    // The same report twice in one batch: the second run is the rerun processReport would see after the first.
    if (seen.has(item.reportId)) {
      outcomes[index] = 'deferred';
      return;
    }
    seen.add(item.reportId);
    const inputHash = processingInputHash(report, deps.analyzer.version);
    const correction = report.correction as ReportCorrection | null;
    if (report.status === 'processed' && report.inputHash === inputHash) {
      const stored = effectiveClassification(report.classification as AutoClassification | null, correction);
      outcomes[index] = sameEffective(stored, report) ? 'unchanged' : 'deferred';
      return;
    }
    if (report.incidentId !== null) {
      outcomes[index] = 'deferred';
      return;
    }
    let analysis = deps.analyzer.analyze(report);
    const effective = effectiveClassification(analysis.classification, correction);
    if (effective.stance)
      analysis = {
        ...analysis,
        features: { ...analysis.features, terms: [...effective.terms].sort(), stance: effective.stance },
      };
    fresh.push({ index, report, attempt: item.attempt, inputHash, analysis, effective });
  });
  if (!fresh.length) return outcomes;

  await lockAllBlocks(tx, fresh);
  const byQuery = await findCandidatesMany(
    tx,
    fresh.map((f) => ({ q: f.analysis.query })),
  );

  const members: BatchMember[] = [];
  const opened = new Map<string, Fresh[]>();
  const joined = new Set<string>();
  for (let i = 0; i < fresh.length; i++) {
    const f = fresh[i]!;
    const candidates = await candidatesFor(tx, f.analysis.query, byQuery[i]!, members, opened);
    const assignment = await deps.analyzer.assign(f.analysis.features, f.analysis.query, {
      findCandidates: async () => candidates,
    });
    let incidentId = assignment.incidentId;
    if (incidentId === null) opened.set((incidentId = randomUUID()), [f]);
    else if (opened.has(incidentId)) opened.get(incidentId)!.push(f);
    else joined.add(incidentId);
    f.assignment = assignment;
    f.incidentId = incidentId;
    members.push({
      incidentId,
      features: f.analysis.features,
      t: f.report.observedAt.getTime(),
      geoCell: f.analysis.geoCell,
      placeKey: f.analysis.place.key,
      hashes: f.report.attachmentHashes,
    });
  }

  // The incidents joined are locked and followed to where a merge committed since the lookup moved their members.
  if (joined.size) {
    const targets = await joinTargets(tx, [...joined]);
    joined.clear();
    for (const f of fresh) {
      if (opened.has(f.incidentId!)) continue;
      f.incidentId = targets.get(f.incidentId!)!;
      joined.add(f.incidentId);
    }
  }

  // New incidents are written with their aggregates at once: all their members are in this batch. The members
  // joining existing incidents are folded into those incidents' tallies: no other member is read.
  await insertIncidents(
    tx,
    [...opened].map(([id, fs]) => ({ id, members: fs.map(memberOf) })),
  );
  await writeReportResults(tx, fresh, deps.clock.now());
  await queueTiedMerges(
    tx,
    fresh
      .filter((f) => f.assignment?.merge?.length)
      .map((f) => ({ reportId: f.report.id, incidentId: f.incidentId!, otherIds: f.assignment!.merge! })),
  );
  const joins = new Map<string, AggregateMember[]>([...joined].map((id) => [id, []]));
  for (const f of fresh) joins.get(f.incidentId!)?.push(memberOf(f));
  await joinIncidents(tx, joins);
  for (const f of fresh) {
    outcomes[f.index] = 'processed';
    const { stance, terms } = f.effective;
    facts.push({
      stance,
      terms,
      incident: opened.has(f.incidentId!) ? 'opened' : 'joined',
      tied: !!f.assignment?.merge?.length,
    });
  }
  for (const id of opened.keys()) events.push({ incidentId: id, kind: 'opened' });
  for (const id of joined) events.push({ incidentId: id, kind: 'joined' });
  return outcomes;
}

/** The block locks of every report of the batch in one statement, with the lookup's settings (lockBlockKeys). */
async function lockAllBlocks(tx: SqlTx, fresh: Fresh[]): Promise<void> {
  const keys = new Set<string>();
  for (const { analysis, report } of fresh) {
    for (const c of analysis.query.cells) keys.add(`cell:${c}`);
    if (analysis.place.key) keys.add(`place:${analysis.place.key}`);
    for (const h of report.attachmentHashes) keys.add(`sha:${h}`);
  }
  await lockBlockKeys(tx, [...keys]);
}

/**
 * The candidates the single-report store would return once the batch's earlier reports were committed:
 * the looked-up rows, plus the earlier reports that fall in this report's blocks (their incidents become
 * candidates) and, for every candidate incident, its batch members within the window (all of them when a
 * photo matched), keeping the most recent `membersPerIncident` as the store does.
 */
async function candidatesFor(
  tx: SqlTx,
  q: CandidateQuery,
  rows: CandidateRow[],
  batch: BatchMember[],
  opened: ReadonlyMap<string, unknown>,
): Promise<CandidateIncident[]> {
  const from = q.from.getTime();
  const to = q.to.getTime();
  const inWindow = (t: number) => t >= from && t <= to;
  const byId = new Map<string, { c: CandidateIncident; byHash: boolean }>();
  for (const r of rows) {
    let e = byId.get(r.target);
    if (!e)
      byId.set(
        r.target,
        (e = { c: { id: r.target, members: [], separatedFrom: r.separatedFrom, span: r.span }, byHash: false }),
      );
    e.byHash ||= r.byHash;
    e.c.members.push(...r.members);
  }
  if (!batch.length) return [...byId.values()].map((e) => e.c).filter((c) => c.members.length > 0);

  // Incidents hit through reports of this batch.
  const hashes = new Set(q.attachmentHashes);
  const cells = new Set(q.cells);
  const hits = new Map<string, boolean>();
  for (const m of batch) {
    const byHash = m.hashes.some((h) => hashes.has(h));
    const byBlock =
      inWindow(m.t) &&
      (q.anywhere === true ||
        (m.geoCell !== null && cells.has(m.geoCell)) ||
        (q.placeKey !== undefined && m.placeKey === q.placeKey));
    if (byHash || byBlock) hits.set(m.incidentId, (hits.get(m.incidentId) ?? false) || byHash);
  }
  const batchIncidents = new Set(batch.map((m) => m.incidentId));
  for (const [id, byHash] of hits) {
    const e = byId.get(id);
    if (e && (e.byHash || !byHash)) continue;
    // An incident the lookup did not return for this report (or returned window-bounded where a photo now
    // matches): read its stored members as the store would. Rare: an earlier report of the batch joined it.
    // An incident opened in this batch has no stored members.
    const stored = opened.has(id) ? { features: [], separatedFrom: [] } : await incidentMembers(tx, id, q, byHash);
    byId.set(id, {
      c: {
        id,
        members: stored.features,
        separatedFrom: e?.c.separatedFrom ?? stored.separatedFrom,
        span: e?.c.span ?? ('span' in stored ? stored.span : undefined),
      },
      byHash,
    });
  }
  const out: CandidateIncident[] = [];
  for (const [id, e] of byId) {
    if (batchIncidents.has(id)) {
      // The batch's own members of the incident stretch its span as the stored ones do (an incident opened in this
      // batch has only these).
      for (const m of batch) {
        if (m.incidentId !== id) continue;
        e.c.span = e.c.span
          ? { first: Math.min(e.c.span.first, m.t), last: Math.max(e.c.span.last, m.t) }
          : { first: m.t, last: m.t };
      }
      const extra = batch.filter((m) => m.incidentId === id && (e.byHash || inWindow(m.t))).map((m) => m.features);
      if (extra.length) {
        const all = [...e.c.members, ...extra].sort((a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt));
        e.c.members = all.slice(0, DEFAULT_LIMITS.membersPerIncident);
      }
    }
    if (e.c.members.length > 0) out.push(e.c);
  }
  return out;
}

const memberOf = (f: Fresh): AggregateMember => asMember(f.report, f.analysis, f.effective);
