// compileDigest: pure and deterministic. Inputs are sorted first and every output list has a total order,
// so the same rows and period give byte-identical canonical JSON and therefore the same contentHash.
import { canonicalJson, sha256Hex } from '../audit/canonical.ts';
import { addStance, partiesOf, termFigures, withChange, zeroStances } from './figures.ts';
import { daysBetween, localDater, periodDays, previousPeriod } from './period.ts';
import type {
  DigestAgreement,
  DigestData,
  DigestIncident,
  DigestInput,
  DigestReportGroup,
  GroupedInput,
  IncidentStateName,
} from './types.ts';

export interface CompileOptions {
  from: Date;
  to: Date;
  previous?: DigestInput;
  now?: Date;
  notableLimit?: number;
  placesLimit?: number;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const STATES: IncidentStateName[] = ['new', 'under_review', 'verified', 'rejected', 'needs_info'];

export function compileDigest(raw: DigestInput, agreement: DigestAgreement, opts: CompileOptions): DigestData {
  const tz = agreement.timezone;
  const dayOf = localDater(tz);
  const input = grouped(raw, dayOf);
  const termIds = agreement.terms.map((t) => t.id);
  const partyIds = agreement.parties.map((p) => p.id);
  const live = input.incidents.filter((i) => i.state !== 'rejected');
  const prev = previousPeriod(opts.from, opts.to);

  const terms = termFigures(input, termIds, partyIds);
  if (opts.previous) withChange(terms, termFigures(grouped(opts.previous, dayOf), termIds, partyIds));

  const referenceDate = dayOf(opts.now ?? opts.to);
  const data: Omit<DigestData, 'contentHash'> = {
    version: 1,
    agreementId: agreement.id,
    period: {
      from: opts.from.toISOString(),
      to: opts.to.toISOString(),
      timezone: tz,
      referenceDate,
      days: round((opts.to.getTime() - opts.from.getTime()) / 86_400_000, 3),
      previousFrom: prev.from.toISOString(),
      previousTo: prev.to.toISOString(),
    },
    totals: totals(input),
    terms,
    parties: partyTotals(live, partyIds),
    topPlaces: topPlaces(live, opts.placesLimit ?? 10),
    notable: notableOf(live, opts.notableLimit ?? 10),
    deadlines: agreement.deadlines
      .map((d) => {
        const days = daysBetween(referenceDate, d.due);
        return {
          id: d.id,
          term: d.term,
          due: d.due,
          status: days > 0 ? ('upcoming' as const) : days === 0 ? ('due' as const) : ('overdue' as const),
          daysLeft: Math.max(days, 0),
          daysOverdue: Math.max(-days, 0),
          violationsInPeriod: terms[d.term]?.violations ?? 0,
          complianceInPeriod: terms[d.term]?.compliance ?? 0,
        };
      })
      .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : byId(a, b))),
    trend: trend(input, live, termIds, { from: opts.from, to: opts.to }, tz, dayOf),
    points: live
      .filter((i) => i.lat !== null && i.lon !== null)
      .map((i) => ({
        id: i.id,
        lat: i.lat!,
        lon: i.lon!,
        stance: i.stance,
        verified: i.state === 'verified',
        severity: i.severity,
        terms: [...i.terms].sort(),
      })),
  };
  return { ...data, contentHash: sha256Hex(canonicalJson(data)) };
}

/** Severity from which an incident is named in the digest whatever its review state (src/incidents: 0-5). */
export const SEVERE_AT = 4;

/**
 * The incidents a digest names: every severe one, whatever its review state (a shelling with civilians injured that
 * is still under review must not go unmentioned), then the most severe verified ones up to `limit`; each with its
 * state, so a reader tells established facts from allegations.
 */
function notableOf(live: DigestIncident[], limit: number): DigestData['notable'] {
  const order = (a: DigestIncident, b: DigestIncident) =>
    b.severity - a.severity ||
    b.reportCount - a.reportCount ||
    a.firstObservedAt.getTime() - b.firstObservedAt.getTime() ||
    byId(a, b);
  const severe = live.filter((i) => i.severity >= SEVERE_AT);
  const verified = live.filter((i) => i.severity < SEVERE_AT && i.state === 'verified').sort(order);
  return [...severe, ...verified.slice(0, Math.max(0, limit - severe.length))].sort(order).map((i) => ({
    id: i.id,
    state: i.state,
    severe: i.severity >= SEVERE_AT,
    terms: [...i.terms].sort(),
    stance: i.stance,
    parties: partiesOf(i),
    placeName: i.placeName,
    firstObservedAt: i.firstObservedAt.toISOString(),
    severity: i.severity,
    reportCount: i.reportCount,
    summary: oneLine(i.summary),
  }));
}

function grouped(raw: DigestInput, dayOf: (d: Date) => string): GroupedInput {
  const groups = new Map<string, DigestReportGroup>();
  const add = (g: DigestReportGroup) => {
    const terms = [...new Set(g.terms)].sort();
    const key = JSON.stringify([g.day, g.language, terms]);
    const have = groups.get(key);
    if (have) have.count += g.count;
    else groups.set(key, { day: g.day, language: g.language, terms, count: g.count });
  };
  for (const g of raw.reportGroups ?? []) add(g);
  for (const r of raw.reports ?? []) add({ day: dayOf(r.observedAt), language: r.language, terms: r.terms, count: 1 });
  return { incidents: [...raw.incidents].sort(byId), groups: [...groups.values()] };
}

function totals(input: GroupedInput): DigestData['totals'] {
  const byState = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<IncidentStateName, number>;
  const stances = zeroStances();
  for (const i of input.incidents) {
    byState[i.state] += 1;
    if (i.state !== 'rejected') addStance(stances, i.stance);
  }
  const reportsByLanguage: Record<string, number> = {};
  let reports = 0;
  for (const g of input.groups) {
    reportsByLanguage[g.language ?? 'unknown'] = (reportsByLanguage[g.language ?? 'unknown'] ?? 0) + g.count;
    reports += g.count;
  }
  return {
    incidents: input.incidents.length,
    reports,
    verified: byState.verified,
    rejected: byState.rejected,
    ...stances,
    byState,
    reportsByLanguage,
  };
}

function partyTotals(live: DigestIncident[], partyIds: string[]): DigestData['parties'] {
  const parties: DigestData['parties'] = Object.fromEntries(
    partyIds.map((p) => [p, { incidents: 0, ...zeroStances() }]),
  );
  for (const i of live) {
    for (const p of partiesOf(i)) {
      const row = (parties[p] ??= { incidents: 0, ...zeroStances() });
      row.incidents += 1;
      addStance(row, i.stance);
    }
  }
  return parties;
}

function topPlaces(live: DigestIncident[], limit: number): DigestData['topPlaces'] {
  const places = new Map<
    string,
    {
      placeName: string;
      incidents: number;
      violations: number;
      compliance: number;
      verified: number;
      lats: number[];
      lons: number[];
    }
  >();
  for (const i of live) {
    const name = i.placeName?.trim();
    if (!name) continue;
    let p = places.get(name);
    if (!p)
      places.set(
        name,
        (p = { placeName: name, incidents: 0, violations: 0, compliance: 0, verified: 0, lats: [], lons: [] }),
      );
    p.incidents += 1;
    if (i.stance === 'violation') p.violations += 1;
    if (i.stance === 'compliance') p.compliance += 1;
    if (i.state === 'verified') p.verified += 1;
    if (i.lat !== null && i.lon !== null) {
      p.lats.push(i.lat);
      p.lons.push(i.lon);
    }
  }
  const mean = (xs: number[]) => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 4) : null);
  return [...places.values()]
    .sort(
      (a, b) =>
        b.incidents - a.incidents ||
        b.violations - a.violations ||
        (a.placeName < b.placeName ? -1 : a.placeName > b.placeName ? 1 : 0),
    )
    .slice(0, limit)
    .map(({ lats, lons, ...p }) => ({ ...p, lat: mean(lats), lon: mean(lons) }));
}

/** Daily series: an incident counts on the local day it was first seen (or the first day, if it began earlier). */
function trend(
  input: GroupedInput,
  live: DigestIncident[],
  termIds: string[],
  period: { from: Date; to: Date },
  tz: string,
  dayOf: (d: Date) => string,
): DigestData['trend'] {
  const days = periodDays(period, tz);
  const index = new Map(days.map((d, n) => [d, n]));
  const series = (): number[] => days.map(() => 0);
  const terms: DigestData['trend']['terms'] = Object.fromEntries(
    termIds.map((t) => [t, { violations: series(), compliance: series() }]),
  );
  for (const i of live) {
    const n = index.get(dayOf(i.firstObservedAt < period.from ? period.from : i.firstObservedAt));
    if (n === undefined || (i.stance !== 'violation' && i.stance !== 'compliance')) continue;
    for (const t of new Set(i.terms))
      (terms[t] ??= { violations: series(), compliance: series() })[
        i.stance === 'violation' ? 'violations' : 'compliance'
      ][n] += 1;
  }
  const reports = series();
  for (const g of input.groups) {
    const n = index.get(g.day);
    if (n !== undefined) reports[n] += g.count;
  }
  return { days, reports, terms };
}

/** The first line of a summary, cut at a word boundary: the digest lists one line per notable incident. */
export function oneLine(summary: string | null, max = 160): string | null {
  const line = summary
    ?.split(/\r?\n/)
    .map((l) => l.trim())
    .find(Boolean);
  if (!line) return null;
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : cut.length).trimEnd()}…`;
}
