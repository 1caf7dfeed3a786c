// In-memory incident store with the same blocking indexes a database would keep: (cell, day) buckets,
// (place key, day) buckets and attachment hashes. Used by eval and tests; lookups never scan all reports.
import { blockKey, type ReportFeatures } from './features.ts';
import type { CandidateIncident, CandidateQuery, IncidentCandidateStore } from './dedup.ts';

const DAY = 86_400_000;
/** The database's lookup reads this many reports per block on each side of a report's time (prisma-store.ts). */
const NEAREST_PER_SIDE = 20;
/**
 * The database's lookup reads at most this many members of a candidate incident, the latest first (repository.ts,
 * DEFAULT_LIMITS.membersPerIncident): with an incident scored on the mean of its members (PairModel.linkage), replays
 * must compare the same members the workers do.
 */
export const MEMBERS_PER_INCIDENT = 30;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY);

export interface MemoryStore extends IncidentCandidateStore {
  createIncident(reportId: string, features: ReportFeatures): string;
  addReport(incidentId: string, reportId: string, features: ReportFeatures): void;
  /** Record a reviewer's decision that two incidents are distinct. */
  separate(a: string, b: string): void;
  /** Move every report of `from` into `into` (a report that tied them); `from` is gone afterwards. */
  merge(from: string, into: string): void;
  incidentOf(reportId: string): string | undefined;
  incidents(): Map<string, string[]>;
  /** findCandidates without the promise (replays that search thresholds run thousands of them). */
  findCandidatesNow(q: CandidateQuery): CandidateIncident[];
}

export function createMemoryStore(opts: { idPrefix?: string } = {}): MemoryStore {
  const prefix = opts.idPrefix ?? 'inc-';
  const members = new Map<string, Array<{ reportId: string; f: ReportFeatures }>>();
  const separated = new Map<string, Set<string>>();
  const byBucket = new Map<string, Set<string>>();
  const byHash = new Map<string, Set<string>>();
  const reportIncident = new Map<string, string>();
  // Every report by time, for queries of reports with no place at all (as the database reads Report(observedAt)).
  const byTime: Array<{ t: number; reportId: string }> = [];
  let seq = 0;

  const index = (map: Map<string, Set<string>>, key: string, id: string) => {
    let s = map.get(key);
    if (!s) map.set(key, (s = new Set()));
    s.add(id);
  };

  function addReport(incidentId: string, reportId: string, f: ReportFeatures): void {
    const list = members.get(incidentId);
    if (!list) throw new Error(`unknown incident ${incidentId}`);
    list.push({ reportId, f });
    reportIncident.set(reportId, incidentId);
    const day = dayOf(f.observedAt);
    for (const c of f.cells) index(byBucket, `c:${c}|${day}`, incidentId);
    const key = blockKey(f);
    if (key) index(byBucket, `p:${key}|${day}`, incidentId);
    byTime.push({ t: Date.parse(f.observedAt), reportId });
    for (const h of f.attachmentHashes) index(byHash, h, incidentId);
  }

  return {
    createIncident(reportId, f) {
      const id = `${prefix}${++seq}`;
      members.set(id, []);
      addReport(id, reportId, f);
      return id;
    },
    addReport,
    merge(from, into) {
      if (from === into) return;
      for (const m of members.get(from) ?? []) addReport(into, m.reportId, m.f);
      members.delete(from);
      // Blocking entries of the merged-away incident stay; findCandidates skips ids without members.
      for (const other of separated.get(from) ?? []) {
        index(separated, into, other);
        index(separated, other, into);
      }
    },
    separate(a, b) {
      index(separated, a, b);
      index(separated, b, a);
    },
    incidentOf: (reportId) => reportIncident.get(reportId),
    incidents: () => new Map([...members].map(([id, l]) => [id, l.map((m) => m.reportId)])),
    async findCandidates(q: CandidateQuery): Promise<CandidateIncident[]> {
      return findCandidatesNow(q);
    },
    findCandidatesNow,
  };

  /** The members the database would read: the latest by time (then report id), as many as it reads. */
  function latest<T extends { reportId: string; f: ReportFeatures }>(list: T[]): T[] {
    return list
      .slice()
      .sort((a, b) => Date.parse(b.f.observedAt) - Date.parse(a.f.observedAt) || a.reportId.localeCompare(b.reportId))
      .slice(0, MEMBERS_PER_INCIDENT);
  }

  /** Incidents of the reports nearest in time on each side of the query's centre, as many as the database reads. */
  function nearestInTime(q: CandidateQuery): string[] {
    const at = (q.from.getTime() + q.to.getTime()) / 2;
    const inWindow = byTime.filter((r) => r.t >= q.from.getTime() && r.t <= q.to.getTime());
    const after = inWindow
      .filter((r) => r.t >= at)
      .sort((a, b) => a.t - b.t)
      .slice(0, NEAREST_PER_SIDE);
    const before = inWindow
      .filter((r) => r.t < at)
      .sort((a, b) => b.t - a.t)
      .slice(0, NEAREST_PER_SIDE);
    return [...after, ...before].map((r) => reportIncident.get(r.reportId)!).filter(Boolean);
  }

  function findCandidatesNow(q: CandidateQuery): CandidateIncident[] {
    const ids = new Set<string>();
    const from = Math.floor(q.from.getTime() / DAY);
    const to = Math.floor(q.to.getTime() / DAY);
    for (let d = from; d <= to; d++) {
      for (const c of q.cells) for (const id of byBucket.get(`c:${c}|${d}`) ?? []) ids.add(id);
      if (q.placeKey) for (const id of byBucket.get(`p:${q.placeKey}|${d}`) ?? []) ids.add(id);
    }
    for (const h of q.attachmentHashes) for (const id of byHash.get(h) ?? []) ids.add(id);
    if (q.anywhere) for (const id of nearestInTime(q)) ids.add(id);
    const lo = q.from.getTime();
    const hi = q.to.getTime();
    const out: CandidateIncident[] = [];
    for (const id of ids) {
      const list = members.get(id);
      if (!list) continue;
      const inWindow = list.filter(({ f }) => {
        const t = Date.parse(f.observedAt);
        return t >= lo && t <= hi;
      });
      const byHashHit = list.some(({ f }) => f.attachmentHashes.some((h) => q.attachmentHashes.includes(h)));
      if (inWindow.length === 0 && !byHashHit) continue;
      let first = Infinity;
      let last = -Infinity;
      for (const { f } of list) {
        const t = Date.parse(f.observedAt);
        first = Math.min(first, t);
        last = Math.max(last, t);
      }
      const compared = byHashHit ? list : inWindow;
      out.push({
        id,
        members: (compared.length > MEMBERS_PER_INCIDENT ? latest(compared) : compared).map((m) => m.f),
        separatedFrom: [...(separated.get(id) ?? [])],
        span: { first, last },
      });
    }
    return out;
  }
}
