// The rules of an incident's aggregate (terms, stance, position, time span, severity, summary) computed directly
// from its member reports' effective classification: what a full recompute writes, and the oracle the running
// tally (tally.ts) is tested against. Every rule is order-free, so the tally can keep it exactly: counts and sums,
// min/max, and ties broken by when a value was first seen, then by the value.
import { geoCell } from '../dedup/features.ts';
import { incidentSummary, type TermTitles } from './summary.ts';

export type Stance = 'violation' | 'compliance' | 'information';
export type CasualtyCounts = { killed: number; injured: number; missing: number; detained: number };

export interface AggregateMember {
  lat: number | null;
  lon: number | null;
  resolvedLat: number | null;
  resolvedLon: number | null;
  geoCell: string | null;
  placeName: string | null;
  resolvedPlace: string | null;
  observedAt: Date;
  language: string | null;
  partyAlleged: string;
  casualties: unknown;
  terms: string[];
  stance: Stance | null;
  confidence: number | null;
}

export interface IncidentCorrection {
  terms?: string[];
  stance?: Stance;
}

// Weight of each term in severity when reported as a violation: shooting and weapons first.
const TERM_SEVERITY: Record<string, number> = {
  hostilities: 3,
  arms_transfer: 3,
  mines_uxo: 2,
  mercenary_withdrawal: 2,
  troop_return: 2,
  oil_facilities: 2,
  road_opening: 1,
  detainee_exchange: 1,
  hate_speech: 1,
  none: 0,
};
export const STANCE_PRIORITY: Stance[] = ['violation', 'compliance', 'information'];
export const MAX_SEVERITY = 5;

export const placeOf = (m: AggregateMember): string | null => m.resolvedPlace ?? m.placeName ?? null;
export const realParty = (p: string) => !!p && p !== 'unknown';

/** The most frequent value; ties go to the value first observed, then to the smaller value. */
function mode(values: Array<{ v: string; at: number }>): string | null {
  const seen = new Map<string, { n: number; at: number }>();
  for (const { v, at } of values) {
    const s = seen.get(v);
    if (s) {
      s.n += 1;
      s.at = Math.min(s.at, at);
    } else seen.set(v, { n: 1, at });
  }
  let best: string | null = null;
  for (const [v, s] of seen) {
    const b = best === null ? null : seen.get(best)!;
    if (!b || s.n > b.n || (s.n === b.n && (s.at < b.at || (s.at === b.at && v < best!)))) best = v;
  }
  return best;
}

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

export function incidentSeverity(
  terms: string[],
  stance: Stance | null,
  casualties: CasualtyCounts,
  reportCount: number,
): number {
  const termWeight = Math.max(0, ...terms.map((t) => TERM_SEVERITY[t] ?? 1));
  // Compliance is good news; information is context, weighed below a violation.
  const base = stance === 'violation' ? termWeight : stance === 'information' ? Math.max(0, termWeight - 2) : 0;
  const harm = casualties.killed > 0 ? 2 : casualties.injured > 0 || casualties.missing > 0 ? 1 : 0;
  const corroborated = reportCount >= 3 ? 1 : 0;
  return Math.min(MAX_SEVERITY, base + harm + (base + harm > 0 ? corroborated : 0));
}

/** GPS fixes win over positions looked up from a place name; the incident sits at their centroid, in the cell of
 * the centroid (the reports' cell scheme). Without any position, the cell most of its reports name. */
function position(members: AggregateMember[]) {
  const gps = members.filter((m) => m.lat !== null && m.lon !== null).map((m) => ({ lat: m.lat!, lon: m.lon! }));
  const pts = gps.length
    ? gps
    : members
        .filter((m) => m.resolvedLat !== null && m.resolvedLon !== null)
        .map((m) => ({ lat: m.resolvedLat!, lon: m.resolvedLon! }));
  if (!pts.length) {
    return {
      lat: null,
      lon: null,
      geoCell: mode(
        members.filter((m) => m.geoCell !== null).map((m) => ({ v: m.geoCell!, at: m.observedAt.getTime() })),
      ),
    };
  }
  const lat = pts.reduce((s, p) => s + p.lat, 0) / pts.length;
  const lon = pts.reduce((s, p) => s + p.lon, 0) / pts.length;
  return { lat, lon, geoCell: geoCell(lat, lon) };
}

export function computeIncidentAggregate(
  members: AggregateMember[],
  correction: IncidentCorrection | null,
  titles?: TermTitles,
) {
  const autoTerms = [...new Set(members.flatMap((m) => m.terms))].sort();
  const realTerms = autoTerms.filter((t) => t !== 'none');
  const terms = correction?.terms ?? (realTerms.length ? realTerms : autoTerms);
  const stance =
    correction?.stance ?? majorityStance(members.map((m) => m.stance).filter((s): s is Stance => s !== null));
  const confidences = members.map((m) => m.confidence).filter((c): c is number => c !== null);
  const confidence =
    correction?.terms || correction?.stance
      ? 1
      : confidences.length
        ? confidences.reduce((a, b) => a + b, 0) / confidences.length
        : null;
  const parties = [...new Set(members.map((m) => m.partyAlleged).filter(realParty))].sort();
  const languages = [...new Set(members.map((m) => m.language).filter((l): l is string => !!l))].sort();
  const times = members.map((m) => m.observedAt.getTime());
  const firstObservedAt = new Date(times.reduce((a, b) => Math.min(a, b)));
  const lastObservedAt = new Date(times.reduce((a, b) => Math.max(a, b)));
  const placeName = mode(
    members.flatMap((m) => {
      const p = placeOf(m);
      return p ? [{ v: p, at: m.observedAt.getTime() }] : [];
    }),
  );
  const pos = position(members);
  return assembleAggregate(
    {
      terms,
      stance,
      parties,
      confidence,
      casualties: maxCasualties(members),
      lat: pos.lat,
      lon: pos.lon,
      geoCell: pos.geoCell,
      placeName,
      firstObservedAt,
      lastObservedAt,
      reportCount: members.length,
      languages,
    },
    titles,
  );
}

/** What an incident's aggregate is made of, however it was counted (from its members, or from its tally). */
export interface AggregateFacts {
  terms: string[];
  stance: Stance | null;
  parties: string[];
  confidence: number | null;
  casualties: CasualtyCounts;
  lat: number | null;
  lon: number | null;
  geoCell: string | null;
  placeName: string | null;
  firstObservedAt: Date;
  lastObservedAt: Date;
  reportCount: number;
  languages: string[];
}

/** The aggregate from its facts: severity and summary are derived the same way for both ways of counting. */
export function assembleAggregate(f: AggregateFacts, titles?: TermTitles) {
  const { casualties, ...rest } = f;
  return {
    ...rest,
    severity: incidentSeverity(f.terms, f.stance, casualties, f.reportCount),
    summary: incidentSummary(
      {
        terms: f.terms,
        stance: f.stance,
        placeName: f.placeName,
        lat: f.lat,
        lon: f.lon,
        reportCount: f.reportCount,
        languages: f.languages,
        parties: f.parties,
        casualties,
        firstObservedAt: f.firstObservedAt,
        lastObservedAt: f.lastObservedAt,
      },
      titles,
    ),
  };
}

export type IncidentAggregate = ReturnType<typeof computeIncidentAggregate>;
