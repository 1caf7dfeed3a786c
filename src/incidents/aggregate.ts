// An incident's aggregate (terms, stance, position, time span, severity, summary) recomputed from its member
// reports' effective classification. Shared by the pipeline and by reviewers' merge/split; the caller passes
// its transaction so the aggregate always matches the membership it just changed. The reads and writes are
// src/incidents/repository.ts's.
import type { SqlTx } from '../db/client.ts';
import { markIncidentEmpty, readMembers, readMembersMany, writeAggregate, writeAggregates, type MemberRow } from './repository.ts';
import { incidentSummary, type TermTitles } from './summary.ts';

type Stance = 'violation' | 'compliance' | 'information';
type CasualtyCounts = { killed: number; injured: number; missing: number; detained: number };

export interface AggregateMember {
  lat: number | null; lon: number | null; resolvedLat: number | null; resolvedLon: number | null;
  geoCell: string | null; placeName: string | null; resolvedPlace: string | null;
  observedAt: Date; language: string | null; partyAlleged: string;
  casualties: unknown; terms: string[]; stance: Stance | null; confidence: number | null;
}

export interface IncidentCorrection { terms?: string[]; stance?: Stance }

// Weight of each term in severity when reported as a violation: shooting and weapons first.
const TERM_SEVERITY: Record<string, number> = {
  hostilities: 3, arms_transfer: 3, mines_uxo: 2, mercenary_withdrawal: 2, troop_return: 2, oil_facilities: 2,
  road_opening: 1, detainee_exchange: 1, hate_speech: 1, none: 0,
};
const STANCE_PRIORITY: Stance[] = ['violation', 'compliance', 'information'];
export const MAX_SEVERITY = 5;

const mode = <T>(values: T[]): T | null => {
  const counts = new Map<T, number>();
  let best: T | null = null;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (best === null || n > counts.get(best)!) best = v;
  }
  return best;
};

function majorityStance(stances: Stance[]): Stance | null {
  const counts = new Map<Stance, number>();
  for (const s of stances) counts.set(s, (counts.get(s) ?? 0) + 1);
  const top = Math.max(0, ...counts.values());
  return STANCE_PRIORITY.find((s) => counts.get(s) === top && top > 0) ?? null;
}

/** Reports of the same event count the same casualties: take the largest figure, never the sum. */
function maxCasualties(members: AggregateMember[]): CasualtyCounts {
  const c: CasualtyCounts = { killed: 0, injured: 0, missing: 0, detained: 0 };
  for (const m of members) {
    const x = (m.casualties ?? {}) as Partial<CasualtyCounts>;
    for (const k of Object.keys(c) as Array<keyof CasualtyCounts>) c[k] = Math.max(c[k], Number(x[k] ?? 0) || 0);
  }
  return c;
}

export function incidentSeverity(terms: string[], stance: Stance | null, casualties: CasualtyCounts, reportCount: number): number {
  const termWeight = Math.max(0, ...terms.map((t) => TERM_SEVERITY[t] ?? 1));
  // Compliance is good news; information is context, weighed below a violation.
  const base = stance === 'violation' ? termWeight : stance === 'information' ? Math.max(0, termWeight - 2) : 0;
  const harm = casualties.killed > 0 ? 2 : casualties.injured > 0 || casualties.missing > 0 ? 1 : 0;
  const corroborated = reportCount >= 3 ? 1 : 0;
  return Math.min(MAX_SEVERITY, base + harm + (base + harm > 0 ? corroborated : 0));
}

/** GPS fixes win over positions looked up from a place name; the incident sits at their centroid. */
function position(members: AggregateMember[]) {
  const gps = members.filter((m) => m.lat !== null && m.lon !== null).map((m) => ({ m, lat: m.lat!, lon: m.lon! }));
  const pts = gps.length ? gps : members.filter((m) => m.resolvedLat !== null && m.resolvedLon !== null)
    .map((m) => ({ m, lat: m.resolvedLat!, lon: m.resolvedLon! }));
  if (!pts.length) return { lat: null, lon: null, geoCell: mode(members.map((m) => m.geoCell).filter((c) => c !== null)) };
  const lat = pts.reduce((s, p) => s + p.lat, 0) / pts.length;
  const lon = pts.reduce((s, p) => s + p.lon, 0) / pts.length;
  // The cell of the member nearest the centroid keeps the incident in the same cell scheme as its reports.
  const nearest = pts.reduce((a, b) => ((b.lat - lat) ** 2 + (b.lon - lon) ** 2 < (a.lat - lat) ** 2 + (a.lon - lon) ** 2 ? b : a));
  return { lat, lon, geoCell: nearest.m.geoCell };
}

export function computeIncidentAggregate(members: AggregateMember[], correction: IncidentCorrection | null, titles?: TermTitles) {
  const autoTerms = [...new Set(members.flatMap((m) => m.terms))].sort();
  const realTerms = autoTerms.filter((t) => t !== 'none');
  const terms = correction?.terms ?? (realTerms.length ? realTerms : autoTerms);
  const stance = correction?.stance ?? majorityStance(members.map((m) => m.stance).filter((s): s is Stance => s !== null));
  const confidences = members.map((m) => m.confidence).filter((c): c is number => c !== null);
  const confidence = correction?.terms || correction?.stance ? 1 : confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : null;
  const parties = [...new Set(members.map((m) => m.partyAlleged).filter((p) => p && p !== 'unknown'))].sort();
  const languages = [...new Set(members.map((m) => m.language).filter((l): l is string => !!l))].sort();
  const times = members.map((m) => m.observedAt.getTime());
  const firstObservedAt = new Date(Math.min(...times));
  const lastObservedAt = new Date(Math.max(...times));
  const placeName = mode(members.map((m) => m.resolvedPlace ?? m.placeName).filter((p): p is string => !!p));
  const casualties = maxCasualties(members);
  const pos = position(members);
  const reportCount = members.length;
  const summary = incidentSummary({ terms, stance, placeName, lat: pos.lat, lon: pos.lon, reportCount, languages, parties, casualties, firstObservedAt, lastObservedAt }, titles);
  return {
    terms, stance, parties, confidence, severity: incidentSeverity(terms, stance, casualties, reportCount),
    lat: pos.lat, lon: pos.lon, geoCell: pos.geoCell, placeName, firstObservedAt, lastObservedAt, reportCount, languages, summary,
  };
}

export type IncidentAggregate = ReturnType<typeof computeIncidentAggregate>;

/** Recomputes one incident inside the caller's transaction, in two round trips (read members, write).
 * An incident left without reports keeps its last position and time span (history and audit still point
 * at it) with reportCount 0. */
export async function recomputeIncident(tx: SqlTx, incidentId: string): Promise<void> {
  const rows = await readMembers(tx, incidentId);
  if (!rows.length) return;
  const members = rows.filter((r) => r.member);
  if (!members.length) {
    await markIncidentEmpty(tx, incidentId);
    return;
  }
  await writeAggregate(tx, incidentId, computeIncidentAggregate(members, rows[0]!.correction as IncidentCorrection | null));
}

/** Recomputes many incidents in two round trips: one read of all their members (taking the incidents' row
 * locks in id order, so two batches touching the same incidents queue instead of deadlocking) and one write. */
export async function recomputeIncidents(tx: SqlTx, incidentIds: string[]): Promise<void> {
  if (!incidentIds.length) return;
  const rows = await readMembersMany(tx, incidentIds);
  const byIncident = new Map<string, MemberRow[]>();
  for (const r of rows) {
    const list = byIncident.get(r.incidentId);
    if (list) list.push(r); else byIncident.set(r.incidentId, [r]);
  }
  const updates: Array<{ id: string; a: IncidentAggregate | null }> = [];
  for (const [id, list] of byIncident) {
    const members = list.filter((r) => r.member);
    updates.push({ id, a: members.length ? computeIncidentAggregate(members, list[0]!.correction as IncidentCorrection | null) : null });
  }
  await writeAggregates(tx, updates);
}
