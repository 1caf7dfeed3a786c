// Random incident members for the aggregate tests (fast-check): out-of-order times, English/Arabic/unknown
// language, overlapping terms and stances, GPS or place-resolved or no position, a few place names, casualties.
import fc from 'fast-check';
import type { AggregateMember, IncidentAggregate } from '../../src/incidents/aggregate.ts';
import { expect } from 'vitest';

const T0 = Date.UTC(2020, 10, 14, 0, 0, 0);
const TERMS = ['hostilities', 'troop_return', 'arms_transfer', 'road_opening', 'none'];

export const memberArb: fc.Arbitrary<AggregateMember> = fc.record({
  // Minutes over two days: ties on observedAt happen, and members arrive out of order.
  observedAt: fc.integer({ min: 0, max: 2 * 24 * 60 }).map((m) => new Date(T0 + m * 60_000)),
  gps: fc.option(fc.tuple(fc.double({ min: 31.1, max: 31.3, noNaN: true }), fc.double({ min: 16.5, max: 16.7, noNaN: true })), { nil: null }),
  resolved: fc.option(fc.constantFrom([31.205, 16.588] as const, [31.45, 15.25] as const), { nil: null }),
  geoCell: fc.option(fc.constantFrom('312:165', '312:166', '314:152'), { nil: null }),
  placeName: fc.option(fc.constantFrom('Sirte', 'سرت', 'Abu Grein', 'south of Sirte'), { nil: null }),
  resolvedPlace: fc.option(fc.constantFrom('Sirte', 'Abu Grein'), { nil: null }),
  language: fc.option(fc.constantFrom('en', 'ar'), { nil: null }),
  partyAlleged: fc.constantFrom('LAAF', 'GNA', 'foreign', 'unknown'),
  casualties: fc.option(fc.record({ killed: fc.nat(3), injured: fc.nat(5) }, { requiredKeys: [] }), { nil: null }),
  terms: fc.uniqueArray(fc.constantFrom(...TERMS), { maxLength: 3 }),
  stance: fc.option(fc.constantFrom('violation', 'compliance', 'information') as fc.Arbitrary<'violation' | 'compliance' | 'information'>, { nil: null }),
  confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
}).map(({ gps, resolved, ...m }) => ({
  ...m, lat: gps?.[0] ?? null, lon: gps?.[1] ?? null, resolvedLat: resolved?.[0] ?? null, resolvedLon: resolved?.[1] ?? null,
}));

/** Equal, floats to 1e-9 (sums folded in another order differ in the last bits). */
export function expectSameAggregate(actual: object, expected: IncidentAggregate): void {
  const { confidence, lat, lon, summary, ...rest } = expected;
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]])) as IncidentAggregate;
  const { confidence: c, lat: la, lon: lo, summary: s, ...restActual } = picked;
  expect(restActual).toEqual(rest);
  for (const [x, y] of [[c, confidence], [la, lat], [lo, lon]] as Array<[number | null, number | null]>) {
    if (y === null) expect(x).toBeNull(); else expect(x).toBeCloseTo(y, 9);
  }
  // The summary shows the position to 3 decimals only when no place is named.
  expect(s).toBe(summary);
}
