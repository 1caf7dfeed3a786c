// The running tally an incident keeps gives, in any order of joins, the aggregate computed from all its members.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateFromTally, computeIncidentAggregate, tallyOf } from '../../../src/incidents/aggregate.ts';
import { addMember, combineTallies, emptyTally } from '../../../src/incidents/tally.ts';
import { expectSameAggregate, memberArb } from '../../helpers/factories.ts';

describe('incident tally', () => {
  it('folds members in any order into what the full computation over all members gives', () => {
    fc.assert(
      fc.property(fc.array(memberArb, { minLength: 1, maxLength: 40 }), fc.integer(), (members, seed) => {
        const order = members
          .map((m, i) => ({ m, k: (Math.imul(i + 1, seed | 1) >>> 0) % 997 }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.m);
        // Through JSON, as the tally is stored.
        const t = emptyTally();
        for (const m of order) Object.assign(t, JSON.parse(JSON.stringify(addMember(t, m))));
        const byTime = [...members].sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime());
        expectSameAggregate(aggregateFromTally(t, null), computeIncidentAggregate(byTime, null));
        expectSameAggregate(
          aggregateFromTally(tallyOf(members), { stance: 'compliance' }),
          computeIncidentAggregate(byTime, { stance: 'compliance' }),
        );
      }),
      { numRuns: 300, seed: 2020 },
    );
  });

  it("combines two incidents' tallies (a merge) into what the full computation over both sets of members gives", () => {
    fc.assert(
      fc.property(
        fc.array(memberArb, { minLength: 1, maxLength: 30 }),
        fc.array(memberArb, { minLength: 0, maxLength: 30 }),
        (a, b) => {
          // Through JSON, as both tallies are stored; neither input is changed.
          const ta = JSON.parse(JSON.stringify(tallyOf(a)));
          const tb = JSON.parse(JSON.stringify(tallyOf(b)));
          const before = JSON.stringify([ta, tb]);
          const both = combineTallies(ta, tb);
          expect(JSON.stringify([ta, tb])).toBe(before);
          const byTime = [...a, ...b].sort((x, y) => x.observedAt.getTime() - y.observedAt.getTime());
          expectSameAggregate(aggregateFromTally(both, null), computeIncidentAggregate(byTime, null));
          expect(both.n).toBe(a.length + b.length);
        },
      ),
      { numRuns: 300, seed: 2021 },
    );
  });

  it('breaks ties of the most named place by who was seen first, whatever the order of arrival', () => {
    const at = (h: number) => new Date(Date.UTC(2020, 10, 14, h));
    const base = {
      lat: null,
      lon: null,
      resolvedLat: null,
      resolvedLon: null,
      geoCell: null,
      resolvedPlace: null,
      language: 'en',
      partyAlleged: 'LAAF',
      casualties: null,
      terms: [],
      stance: null,
      confidence: null,
    };
    const late = { ...base, placeName: 'Sirte', observedAt: at(9) };
    const early = { ...base, placeName: 'Abu Grein', observedAt: at(5) };
    expect(aggregateFromTally(tallyOf([late, early]), null).placeName).toBe('Abu Grein');
    expect(computeIncidentAggregate([early, late], null).placeName).toBe('Abu Grein');
  });
});
