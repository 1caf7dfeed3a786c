import { describe, expect, it } from 'vitest';
import { computeIncidentAggregate, incidentSeverity, type AggregateMember } from '../../../src/incidents/aggregate.ts';

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
