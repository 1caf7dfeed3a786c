// An incident's running tally: the counts and sums its aggregate is derived from, stored beside it (Incident.tally)
// so that a report joining costs the same whether the incident holds two reports or twenty thousand: fold the new
// member in, derive the aggregate, write both. Every rule of the aggregate is order-free (counts, sums, min/max,
// ties broken by first sighting then by value), so folding members in any order gives what computeIncidentAggregate
// gives over all of them; leaving (merge, split, reprocessing, corrections) rebuilds the tally from the members.
// The maps are keyed by closed vocabularies (terms, stances, parties, languages) except places and cells, which
// grow with the distinct place names and cells of an incident's reports, not with its size.
import { geoCell } from '../dedup/features.ts';
import type { TermTitles } from './summary.ts';
import type { AggregateMember, CasualtyCounts, IncidentCorrection, Stance } from './aggregate-rules.ts';
import { STANCE_PRIORITY, assembleAggregate, placeOf, realParty } from './aggregate-rules.ts';

/** [count, first observedAt (epoch ms)]: the mode's tie-break needs when a value was first seen. */
type Seen = [number, number];

export interface Tally {
  v: 1;
  n: number;
  first: number | null;
  last: number | null;
  terms: Record<string, number>;
  stances: Partial<Record<Stance, number>>;
  confidence: [sum: number, n: number];
  parties: Record<string, number>;
  languages: Record<string, number>;
  places: Record<string, Seen>;
  cells: Record<string, Seen>;
  gps: [sumLat: number, sumLon: number, n: number];
  resolved: [sumLat: number, sumLon: number, n: number];
  casualties: CasualtyCounts;
}

export const emptyTally = (): Tally => ({
  v: 1,
  n: 0,
  first: null,
  last: null,
  terms: {},
  stances: {},
  confidence: [0, 0],
  parties: {},
  languages: {},
  places: {},
  cells: {},
  gps: [0, 0, 0],
  resolved: [0, 0, 0],
  casualties: { killed: 0, injured: 0, missing: 0, detained: 0 },
});

const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};
const see = (m: Record<string, Seen>, k: string, at: number) => {
  const s = m[k];
  if (s) {
    s[0] += 1;
    s[1] = Math.min(s[1], at);
  } else m[k] = [1, at];
};

/** Folds one member into the tally (in place). */
export function addMember(t: Tally, m: AggregateMember): Tally {
  const at = m.observedAt.getTime();
  t.n += 1;
  t.first = t.first === null ? at : Math.min(t.first, at);
  t.last = t.last === null ? at : Math.max(t.last, at);
  for (const term of new Set(m.terms)) bump(t.terms, term);
  if (m.stance) t.stances[m.stance] = (t.stances[m.stance] ?? 0) + 1;
  if (m.confidence !== null) {
    t.confidence[0] += m.confidence;
    t.confidence[1] += 1;
  }
  if (realParty(m.partyAlleged)) bump(t.parties, m.partyAlleged);
  if (m.language) bump(t.languages, m.language);
  const place = placeOf(m);
  if (place) see(t.places, place, at);
  if (m.geoCell !== null) see(t.cells, m.geoCell, at);
  if (m.lat !== null && m.lon !== null) {
    t.gps[0] += m.lat;
    t.gps[1] += m.lon;
    t.gps[2] += 1;
  }
  if (m.resolvedLat !== null && m.resolvedLon !== null) {
    t.resolved[0] += m.resolvedLat;
    t.resolved[1] += m.resolvedLon;
    t.resolved[2] += 1;
  }
  const c = (m.casualties ?? {}) as Partial<CasualtyCounts>;
  for (const k of Object.keys(t.casualties) as Array<keyof CasualtyCounts>)
    t.casualties[k] = Math.max(t.casualties[k], Number(c[k] ?? 0) || 0);
  return t;
}

export const tallyOf = (members: AggregateMember[]): Tally => members.reduce(addMember, emptyTally());

const addCounts = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
};
const addSeen = (into: Record<string, Seen>, from: Record<string, Seen>) => {
  for (const [k, [n, at]] of Object.entries(from)) {
    const s = into[k];
    if (s) {
      s[0] += n;
      s[1] = Math.min(s[1], at);
    } else into[k] = [n, at];
  }
};

/**
 * The tally of two incidents' members together, from their two tallies (a merge): every part is a count, a sum, a
 * min or a max, so this is what folding every member of both would give, without reading any of them.
 */
export function combineTallies(a: Tally, b: Tally): Tally {
  const t: Tally = JSON.parse(JSON.stringify(a));
  t.n += b.n;
  t.first = t.first === null ? b.first : b.first === null ? t.first : Math.min(t.first, b.first);
  t.last = t.last === null ? b.last : b.last === null ? t.last : Math.max(t.last, b.last);
  addCounts(t.terms, b.terms);
  addCounts(t.stances as Record<string, number>, b.stances as Record<string, number>);
  t.confidence = [t.confidence[0] + b.confidence[0], t.confidence[1] + b.confidence[1]];
  addCounts(t.parties, b.parties);
  addCounts(t.languages, b.languages);
  addSeen(t.places, b.places);
  addSeen(t.cells, b.cells);
  t.gps = [t.gps[0] + b.gps[0], t.gps[1] + b.gps[1], t.gps[2] + b.gps[2]];
  t.resolved = [t.resolved[0] + b.resolved[0], t.resolved[1] + b.resolved[1], t.resolved[2] + b.resolved[2]];
  for (const k of Object.keys(t.casualties) as Array<keyof CasualtyCounts>)
    t.casualties[k] = Math.max(t.casualties[k], b.casualties[k]);
  return t;
}

/** Most seen; ties to the value seen first, then the smaller value. */
function modeOf(m: Record<string, Seen>): string | null {
  let best: [string, Seen] | null = null;
  for (const e of Object.entries(m)) {
    if (
      !best ||
      e[1][0] > best[1][0] ||
      (e[1][0] === best[1][0] && (e[1][1] < best[1][1] || (e[1][1] === best[1][1] && e[0] < best[0])))
    )
      best = e;
  }
  return best ? best[0] : null;
}

const keys = (m: Record<string, number>) =>
  Object.keys(m)
    .filter((k) => m[k]! > 0)
    .sort();

/** The aggregate of a non-empty tally, as computeIncidentAggregate gives it for the same members. */
export function aggregateFromTally(t: Tally, correction: IncidentCorrection | null, titles?: TermTitles) {
  const autoTerms = keys(t.terms);
  const realTerms = autoTerms.filter((x) => x !== 'none');
  const terms = correction?.terms ?? (realTerms.length ? realTerms : autoTerms);
  const top = Math.max(0, ...Object.values(t.stances));
  const stance = correction?.stance ?? STANCE_PRIORITY.find((s) => t.stances[s] === top && top > 0) ?? null;
  const confidence =
    correction?.terms || correction?.stance ? 1 : t.confidence[1] ? t.confidence[0] / t.confidence[1] : null;
  const parties = keys(t.parties);
  const languages = keys(t.languages);
  const firstObservedAt = new Date(t.first!);
  const lastObservedAt = new Date(t.last!);
  const placeName = modeOf(t.places);
  const pts = t.gps[2] ? t.gps : t.resolved[2] ? t.resolved : null;
  const lat = pts ? pts[0] / pts[2] : null;
  const lon = pts ? pts[1] / pts[2] : null;
  const cell = lat !== null && lon !== null ? geoCell(lat, lon) : modeOf(t.cells);
  return assembleAggregate(
    {
      terms,
      stance,
      parties,
      confidence,
      casualties: { ...t.casualties },
      lat,
      lon,
      geoCell: cell,
      placeName,
      firstObservedAt,
      lastObservedAt,
      reportCount: t.n,
      languages,
    },
    titles,
  );
}
