// An incident's aggregate and running tally as stored: a report joining folds into the tally (joinIncidents: one
// locking read of the incidents' tallies and one write, whatever their size), while merge, split, reprocessing and
// corrections recompute both from all the members (recomputeIncident[s]). The caller passes its transaction so the
// aggregate always matches the membership it just changed. The rules themselves live in aggregate-rules.ts; the
// reads and writes are src/incidents/repository.ts's (raw SQL on a SqlTx: also the worker's node-postgres one).
// Every write of an aggregate is where an incident can open severe or grow severe, so the commission's notices of it
// are written here, in the same transaction (src/notifications).
import type { SqlTx } from '../db/client.ts';
import {
  computeIncidentAggregate,
  type AggregateMember,
  type IncidentAggregate,
  type IncidentCorrection,
} from './aggregate-rules.ts';
import { enqueueMany } from '../outbox/repository.ts';
import { EVENTS } from '../queue/names.ts';
import { grownSevere, noticeSevere } from '../notifications/index.ts';
import {
  insertIncidentRows,
  lockForAggregate,
  lockMergeTargets,
  membersOf,
  mergeChainIds,
  writeAggregates,
} from './repository.ts';
import { addMember, aggregateFromTally, combineTallies, emptyTally, tallyOf, type Tally } from './tally.ts';

export { computeIncidentAggregate, incidentSeverity, MAX_SEVERITY } from './aggregate-rules.ts';
export type { AggregateMember, IncidentAggregate, IncidentCorrection } from './aggregate-rules.ts';
export { aggregateFromTally, tallyOf, type Tally } from './tally.ts';
export { writeAggregates } from './repository.ts';

/** Recomputes one incident from all its members; `actorId`: the member whose change asked for it (not told of it). */
export async function recomputeIncident(tx: SqlTx, incidentId: string, actorId: string | null = null): Promise<void> {
  await recomputeIncidents(tx, [incidentId], actorId);
}

/**
 * Recomputes incidents from all their members: the incidents are locked first and their members read in the next
 * statement, which (READ COMMITTED) then sees every member committed by a transaction that held the lock before.
 * An incident left without reports keeps its last position and time span (history and audit still point at it)
 * with reportCount 0 and an empty tally.
 */
export async function recomputeIncidents(
  tx: SqlTx,
  incidentIds: string[],
  actorId: string | null = null,
): Promise<void> {
  const ids = [...new Set(incidentIds)].sort();
  if (!ids.length) return;
  const locked = await lockForAggregate(tx, ids);
  const rows = await membersOf(tx, ids);
  const byIncident = new Map<string, AggregateMember[]>();
  for (const r of rows) {
    const list = byIncident.get(r.incidentId);
    if (list) list.push(r);
    else byIncident.set(r.incidentId, [r]);
  }
  const updates = locked.map(({ id, correction }) => {
    const members = byIncident.get(id) ?? [];
    return members.length
      ? { id, a: computeIncidentAggregate(members, correction as IncidentCorrection | null), tally: tallyOf(members) }
      : { id, a: null, tally: emptyTally() };
  });
  await writeAggregates(tx, updates);
  await noticeSevere(tx, grownSevere(severityChanges(locked, updates)), actorId);
}

function severityChanges(
  locked: Array<{ id: string; severity: number }>,
  updates: Array<{ id: string; a: IncidentAggregate | null }>,
) {
  const before = new Map(locked.map((l) => [l.id, l.severity]));
  return updates.map(({ id, a }) => ({ id, before: before.get(id) ?? null, after: a?.severity ?? 0 }));
}

// Merges flatten their chains (mergeInto), so a survivor is one step away; more steps only while merges race.
const MAX_MERGE_STEPS = 10;

/**
 * The incidents reports are about to join, each locked and followed to the incident it was merged into. Dedup
 * picks its incident from a read without locks; a merge committed since then has moved that incident's members to
 * the survivor, and a report written to the merged-away incident would be left behind in it, out of every queue.
 * The lock, held to the commit, keeps any later merge from moving the members before this report is one of them.
 * The chains are read first without locks and then locked together in one id-ordered statement, as every other
 * writer takes incidents: locking the incident asked for and only then its survivor (which may sort before it) would
 * deadlock against a merge or split holding the survivor. Only a merge committed between the read and the lock
 * makes a further step.
 */
export async function joinTargets(tx: SqlTx, incidentIds: string[]): Promise<Map<string, string>> {
  const asked = [...new Set(incidentIds)];
  // Under lock: where each incident locked was merged into (null: live). Absent and tried: no such incident.
  const into = new Map<string, string | null>();
  const tried = new Set<string>();
  const follow = (id: string): { at: string; live: boolean; tried: boolean } => {
    let at = id;
    for (let step = 0; step <= MAX_MERGE_STEPS; step++) {
      if (!into.has(at)) return { at, live: false, tried: tried.has(at) };
      const next = into.get(at)!;
      if (next === null) return { at, live: true, tried: true };
      at = next;
    }
    return { at, live: false, tried: true };
  };
  let toLock = await mergeChainIds(tx, asked);
  for (let step = 0; toLock.length && step < MAX_MERGE_STEPS; step++) {
    const ids = [...new Set(toLock)].filter((id) => !tried.has(id)).sort();
    for (const id of ids) tried.add(id);
    for (const r of await lockMergeTargets(tx, ids)) into.set(r.id, r.mergedIntoId);
    toLock = asked.map(follow).flatMap((f) => (f.live || f.tried ? [] : [f.at]));
  }
  const target = new Map<string, string>();
  // A missing incident (or a chain longer than any merge makes) keeps the id asked for: joinIncidents then fails
  // on it as it always did, and the job is retried.
  for (const id of asked) {
    const f = follow(id);
    target.set(id, f.live ? f.at : id);
  }
  return target;
}

/**
 * A merge's aggregates: `otherId`'s members have just moved to `targetId`, so the survivor's tally is the two tallies
 * combined (no member read, however large either incident is), under the survivor's own correction, and the
 * merged-away incident is left empty. An incident written before tallies existed is recomputed from its members.
 * `locked`: the two incidents' rows as the caller's transaction locked them (lockForMerge).
 */
export async function mergeAggregates(
  tx: SqlTx,
  targetId: string,
  otherId: string,
  actorId: string | null,
  locked: ReadonlyArray<{ id: string; correction: unknown; tally: Tally | null; severity: number }>,
): Promise<void> {
  const rows = [...locked];
  const target = rows.find((r) => r.id === targetId);
  const other = rows.find((r) => r.id === otherId);
  if (!target?.tally || !other?.tally) return recomputeIncidents(tx, [targetId, otherId], actorId);
  const tally = combineTallies(target.tally, other.tally);
  const updates = [
    {
      id: targetId,
      a: tally.n ? aggregateFromTally(tally, target.correction as IncidentCorrection | null) : null,
      tally,
    },
    { id: otherId, a: null, tally: emptyTally() },
  ];
  await writeAggregates(tx, updates);
  await noticeSevere(tx, grownSevere(severityChanges(rows, updates)), actorId);
}

/**
 * New members join incidents: their contributions are folded into each incident's tally and the aggregate derived
 * from it, without reading the incident's other members. The joiners' report rows must already point at the
 * incident (a full recompute, for an incident written before tallies existed, reads them there).
 */
export async function joinIncidents(tx: SqlTx, joins: Map<string, AggregateMember[]>): Promise<void> {
  const ids = [...joins.keys()].sort();
  if (!ids.length) return;
  const locked = await lockForAggregate(tx, ids);
  const untallied: string[] = [];
  const updates: Array<{ id: string; a: IncidentAggregate; tally: Tally }> = [];
  for (const { id, correction, tally } of locked) {
    if (!tally) {
      untallied.push(id);
      continue;
    }
    for (const m of joins.get(id)!) addMember(tally, m);
    updates.push({ id, a: aggregateFromTally(tally, correction as IncidentCorrection | null), tally });
  }
  await writeAggregates(tx, updates);
  await noticeSevere(tx, grownSevere(severityChanges(locked, updates)));
  if (untallied.length) await recomputeIncidents(tx, untallied);
}

/** Opens incidents with their aggregates and tallies in one statement; ids are chosen by the caller (null: the
 * database's), and the ids are returned in the order given. Each is announced (incident.created) with the commit. */
export async function insertIncidents(
  tx: SqlTx,
  members: Array<{ id?: string; members: AggregateMember[] }>,
): Promise<string[]> {
  if (!members.length) return [];
  const rows = members.map(({ id, members: ms }) => {
    const tally = tallyOf(ms);
    return { id: id ?? null, tally, ...aggregateFromTally(tally, null) };
  });
  const ids = await insertIncidentRows(tx, rows);
  await noticeSevere(tx, grownSevere(ids.map((id, i) => ({ id, before: null, after: rows[i]!.severity }))));
  await enqueueMany(
    tx,
    EVENTS.incidentCreated,
    ids.map((incidentId) => ({ incidentId, cause: 'report' })),
  );
  return ids;
}
