// In-memory incident store with the same blocking indexes a database would keep: (cell, day) buckets,
// (place key, day) buckets and attachment hashes. Used by eval and tests; lookups never scan all reports.
import type { ReportFeatures } from './features.ts';
import type { CandidateIncident, CandidateQuery, IncidentCandidateStore } from './dedup.ts';

const DAY = 86_400_000;
const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY);

export interface MemoryStore extends IncidentCandidateStore {
  createIncident(reportId: string, features: ReportFeatures): string;
  addReport(incidentId: string, reportId: string, features: ReportFeatures): void;
  /** Record a reviewer's decision that two incidents are distinct. */
  separate(a: string, b: string): void;
  incidentOf(reportId: string): string | undefined;
  incidents(): Map<string, string[]>;
}

export function createMemoryStore(opts: { idPrefix?: string } = {}): MemoryStore {
  const prefix = opts.idPrefix ?? 'inc-';
  const members = new Map<string, Array<{ reportId: string; f: ReportFeatures }>>();
  const separated = new Map<string, Set<string>>();
  const byBucket = new Map<string, Set<string>>();
  const byHash = new Map<string, Set<string>>();
  const reportIncident = new Map<string, string>();
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
    if (f.placeKey) index(byBucket, `p:${f.placeKey}|${day}`, incidentId);
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
    separate(a, b) {
      index(separated, a, b);
      index(separated, b, a);
    },
    incidentOf: (reportId) => reportIncident.get(reportId),
    incidents: () => new Map([...members].map(([id, l]) => [id, l.map((m) => m.reportId)])),
    async findCandidates(q: CandidateQuery): Promise<CandidateIncident[]> {
      const ids = new Set<string>();
      const from = Math.floor(q.from.getTime() / DAY);
      const to = Math.floor(q.to.getTime() / DAY);
      for (let d = from; d <= to; d++) {
        for (const c of q.cells) for (const id of byBucket.get(`c:${c}|${d}`) ?? []) ids.add(id);
        if (q.placeKey) for (const id of byBucket.get(`p:${q.placeKey}|${d}`) ?? []) ids.add(id);
      }
      for (const h of q.attachmentHashes) for (const id of byHash.get(h) ?? []) ids.add(id);
      const lo = q.from.getTime();
      const hi = q.to.getTime();
      const out: CandidateIncident[] = [];
      for (const id of ids) {
        const list = members.get(id)!;
        const inWindow = list.filter(({ f }) => { const t = Date.parse(f.observedAt); return t >= lo && t <= hi; });
        const byHashHit = list.some(({ f }) => f.attachmentHashes.some((h) => q.attachmentHashes.includes(h)));
        if (inWindow.length === 0 && !byHashHit) continue;
        out.push({ id, members: (byHashHit ? list : inWindow).map((m) => m.f), separatedFrom: [...(separated.get(id) ?? [])] });
      }
      return out;
    },
  };
}
