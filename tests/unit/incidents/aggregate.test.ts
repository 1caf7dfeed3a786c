import { describe, expect, it } from 'vitest';
import { computeIncidentAggregate, incidentSeverity, type AggregateMember } from '../../../src/incidents/aggregate.ts';
import { incidentSummary } from '../../../src/incidents/summary.ts';

const member = (o: Partial<AggregateMember> = {}): AggregateMember => ({
  lat: 31.2,
  lon: 16.6,
  resolvedLat: null,
  resolvedLon: null,
  geoCell: 'c1',
  placeName: 'Sirte',
  resolvedPlace: 'Sirte',
  observedAt: new Date('2020-11-14T05:00:00Z'),
  language: 'en',
  partyAlleged: 'LAAF',
  casualties: null,
  terms: ['hostilities'],
  stance: 'violation',
  confidence: 0.8,
  ...o,
});

describe('computeIncidentAggregate', () => {
  it('unions terms, votes the stance, spans the time and lists languages and parties', () => {
    const a = computeIncidentAggregate(
      [
        member(),
        member({
          language: 'ar',
          partyAlleged: 'unknown',
          terms: ['hostilities', 'troop_return'],
          confidence: 0.6,
          observedAt: new Date('2020-11-14T09:00:00Z'),
        }),
        member({ stance: 'information', terms: ['none'], partyAlleged: 'GNA', confidence: null }),
      ],
      null,
    );
    expect(a.terms).toEqual(['hostilities', 'troop_return']);
    expect(a.stance).toBe('violation');
    expect(a.parties).toEqual(['GNA', 'LAAF']);
    expect(a.languages).toEqual(['ar', 'en']);
    expect(a.confidence).toBeCloseTo(0.7);
    expect(a.reportCount).toBe(3);
    expect(a.firstObservedAt.toISOString()).toBe('2020-11-14T05:00:00.000Z');
    expect(a.lastObservedAt.toISOString()).toBe('2020-11-14T09:00:00.000Z');
    expect(a.summary).toMatch(
      /^Violation: Cessation of hostilities; Return of units to their camps · near Sirte · .*3 reports \(ar\+en\)/,
    );
    // The agreement's zone, named: 05:00-09:00 UTC is 07:00-11:00 in Tripoli.
    expect(a.summary).toMatch(/ · 2020-11-14 07:00–11:00 (EET|GMT\+2)$/);
  });

  it('lets the incident correction win over the members', () => {
    const a = computeIncidentAggregate([member()], { terms: ['road_opening'], stance: 'compliance' });
    expect(a.terms).toEqual(['road_opening']);
    expect(a.stance).toBe('compliance');
    expect(a.confidence).toBe(1);
    expect(a.severity).toBe(0);
  });

  it('prefers GPS fixes over positions resolved from a place name and sits in the cell of their centroid', () => {
    const a = computeIncidentAggregate(
      [
        member({ lat: 31.0, lon: 16.0, geoCell: 'a' }),
        member({ lat: 31.2, lon: 16.2, geoCell: 'b' }),
        member({ lat: 31.09, lon: 16.09, geoCell: 'mid' }),
        member({ lat: null, lon: null, resolvedLat: 35, resolvedLon: 20, geoCell: 'far' }),
      ],
      null,
    );
    expect(a.lat).toBeCloseTo(31.0967, 3);
    expect(a.geoCell).toBe('310:160');
  });

  it('counts the largest casualty figure once, not the sum of reports of the same event', () => {
    const a = computeIncidentAggregate(
      [member({ casualties: { killed: 2 } }), member({ casualties: { killed: 3, injured: 1 } })],
      null,
    );
    expect(a.summary).toContain('3 killed, 1 injured');
  });
});

describe('incidentSeverity', () => {
  const none = { killed: 0, injured: 0, missing: 0, detained: 0 };
  it('ranks shelling with deaths above a road closure, and compliance at zero', () => {
    expect(incidentSeverity(['hostilities'], 'violation', { ...none, killed: 1 }, 1)).toBe(5);
    expect(incidentSeverity(['road_opening'], 'violation', none, 1)).toBe(1);
    expect(incidentSeverity(['road_opening'], 'compliance', none, 5)).toBe(0);
  });
  it('adds one for corroboration by three or more reports, capped', () => {
    expect(incidentSeverity(['arms_transfer'], 'violation', none, 3)).toBe(4);
    expect(incidentSeverity(['hostilities'], 'violation', { ...none, killed: 4 }, 9)).toBe(5);
  });
});

describe('the summary line names times in the agreement zone', () => {
  const base = {
    terms: ['hostilities'],
    stance: 'violation' as const,
    placeName: 'Sirte',
    lat: null,
    lon: null,
    reportCount: 1,
    languages: ['en'],
    parties: [],
    casualties: { killed: 0, injured: 0, missing: 0, detained: 0 },
  };
  it('a late-evening UTC report is the next day in Tripoli', () => {
    const at = new Date('2020-11-27T22:30:00Z');
    expect(incidentSummary({ ...base, firstObservedAt: at, lastObservedAt: at }, {}, 'Africa/Tripoli')).toMatch(
      / · 2020-11-28 00:30 (EET|GMT\+2)$/,
    );
    expect(incidentSummary({ ...base, firstObservedAt: at, lastObservedAt: at }, {}, 'UTC')).toMatch(
      / · 2020-11-27 22:30 UTC$/,
    );
  });
  it('a span over two Libyan days gives both days', () => {
    const first = new Date('2020-11-27T20:00:00Z');
    const last = new Date('2020-11-27T23:00:00Z');
    expect(incidentSummary({ ...base, firstObservedAt: first, lastObservedAt: last }, {}, 'Africa/Tripoli')).toMatch(
      / · 2020-11-27 to 2020-11-28$/,
    );
  });
});
