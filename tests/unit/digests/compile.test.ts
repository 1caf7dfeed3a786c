import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../../src/agreements/index.ts';

import { canonicalJson, sha256Hex } from '../../../src/audit/canonical.ts';
import { compileDigest } from '../../../src/digests/compile.ts';
import { CURRENT, FROM, PREVIOUS, TO, uuid } from '../../fixtures/digest-week.ts';

const agreement = loadAgreement('libya-2020');

const zero = { violations: 0, compliance: 0, information: 0 };
const digest = () => compileDigest(CURRENT, agreement, { from: FROM, to: TO, previous: PREVIOUS });

describe('compileDigest over the hand-built week', () => {
  const d = digest();

  it('states the period in UTC and the agreement time zone', () => {
    expect(d.period).toEqual({
      from: '2021-01-10T22:00:00.000Z',
      to: '2021-01-17T22:00:00.000Z',
      days: 7,
      timezone: 'Africa/Tripoli',
      previousFrom: '2021-01-03T22:00:00.000Z',
      previousTo: '2021-01-10T22:00:00.000Z',
      referenceDate: '2021-01-18',
    });
  });

  it('counts incidents per term, verified and unverified apart, rejected left out', () => {
    expect(d.terms.hostilities).toEqual({
      incidents: 3,
      reports: 3,
      verified: 1,
      rejected: 1,
      violations: 2,
      compliance: 0,
      information: 0,
      verifiedViolations: 1,
      unverifiedViolations: 1,
      verifiedCompliance: 0,
      unverifiedCompliance: 0,
      verifiedInformation: 0,
      unverifiedInformation: 0,
      parties: { LAAF: { ...zero, violations: 1 }, GNA: { ...zero, violations: 1 }, foreign: zero, unknown: zero },
      change: {
        violations: { previous: 3, delta: -1, percent: -33.3 },
        compliance: { previous: 0, delta: 0, percent: null },
        information: { previous: 0, delta: 0, percent: null },
        verified: { previous: 1, delta: 0, percent: 0 },
      },
    });
    expect(d.terms.mercenary_withdrawal).toMatchObject({
      incidents: 2,
      reports: 2,
      verified: 1,
      rejected: 0,
      violations: 1,
      compliance: 1,
      information: 0,
      verifiedViolations: 0,
      unverifiedViolations: 1,
      verifiedCompliance: 1,
      unverifiedCompliance: 0,
      parties: {
        LAAF: { ...zero, violations: 1 },
        GNA: zero,
        foreign: { ...zero, violations: 1, compliance: 1 },
        unknown: zero,
      },
      change: {
        violations: { previous: 0, delta: 1, percent: null },
        compliance: { previous: 1, delta: 0, percent: 0 },
      },
    });
    expect(d.terms.troop_return).toMatchObject({
      incidents: 1,
      reports: 1,
      violations: 1,
      unverifiedViolations: 1,
      verified: 0,
    });
    expect(d.terms.road_opening).toMatchObject({
      incidents: 2,
      reports: 1,
      verified: 1,
      violations: 0,
      compliance: 1,
      information: 1,
      unverifiedCompliance: 1,
      verifiedInformation: 1,
      parties: { GNA: { ...zero, information: 1 }, unknown: { ...zero, compliance: 1 }, LAAF: zero, foreign: zero },
      change: { violations: { previous: 0, delta: 0, percent: null } },
    });
    expect(d.terms.hate_speech).toMatchObject({ incidents: 0, violations: 0, compliance: 0, verified: 0 });
    expect(Object.keys(d.terms).sort()).toEqual(agreement.terms.map((t) => t.id).sort());
  });

  it('totals states, stances, parties and report languages', () => {
    expect(d.totals).toEqual({
      incidents: 7,
      reports: 6,
      verified: 3,
      rejected: 1,
      violations: 3,
      compliance: 2,
      information: 1,
      byState: { new: 1, under_review: 1, verified: 3, rejected: 1, needs_info: 1 },
      reportsByLanguage: { en: 2, ar: 3, unknown: 1 },
    });
    expect(d.parties).toEqual({
      LAAF: { incidents: 2, violations: 2, compliance: 0, information: 0 },
      GNA: { incidents: 2, violations: 1, compliance: 0, information: 1 },
      foreign: { incidents: 2, violations: 1, compliance: 1, information: 0 },
      unknown: { incidents: 1, violations: 0, compliance: 1, information: 0 },
    });
  });

  it('ranks places by incidents, then violations', () => {
    expect(d.topPlaces).toEqual([
      { placeName: 'Sirte', incidents: 2, violations: 2, compliance: 0, verified: 1, lat: 31.225, lon: 16.625 },
      { placeName: 'Al-Jufra', incidents: 2, violations: 1, compliance: 1, verified: 1, lat: 29.1, lon: 16 },
      { placeName: 'Misrata', incidents: 1, violations: 0, compliance: 1, verified: 0, lat: 32.3, lon: 15.1 },
    ]);
  });

  it('names every severe incident whatever its review state, then verified ones, each with its state', () => {
    expect(d.notable.map((n) => [n.id, n.severity, n.state, n.severe, n.summary])).toEqual([
      [uuid(1), 5, 'verified', true, 'Artillery shelling west of Sirte.'],
      [uuid(4), 4, 'new', true, null],
      [uuid(3), 2, 'verified', false, 'Foreign fighters departed Al-Jufra airbase by air.'],
      [uuid(7), 1, 'verified', false, null],
    ]);
    // A limit never drops a severe incident: it bounds only the verified ones listed beside them.
    const one = compileDigest(CURRENT, agreement, { from: FROM, to: TO, notableLimit: 1 });
    expect(one.notable.map((n) => n.id)).toEqual([uuid(1), uuid(4)]);
    expect(d.notable[0]).toMatchObject({
      terms: ['hostilities'],
      stance: 'violation',
      parties: ['LAAF'],
      placeName: 'Sirte',
      reportCount: 3,
      firstObservedAt: '2021-01-11T08:00:00.000Z',
    });
  });

  it('counts days to each deadline from the period end, or days overdue when `now` is later', () => {
    expect(d.deadlines).toEqual([
      {
        id: 'foreign_fighters_departure',
        term: 'mercenary_withdrawal',
        due: '2021-01-23',
        status: 'upcoming',
        daysLeft: 5,
        daysOverdue: 0,
        violationsInPeriod: 1,
        complianceInPeriod: 1,
      },
      {
        id: 'troops_return_to_camps',
        term: 'troop_return',
        due: '2021-01-23',
        status: 'upcoming',
        daysLeft: 5,
        daysOverdue: 0,
        violationsInPeriod: 1,
        complianceInPeriod: 0,
      },
    ]);
    const later = compileDigest(CURRENT, agreement, { from: FROM, to: TO, now: new Date('2021-02-01T10:00:00Z') });
    expect(later.deadlines.map((x) => [x.status, x.daysLeft, x.daysOverdue])).toEqual([
      ['overdue', 0, 9],
      ['overdue', 0, 9],
    ]);
    const onTheDay = compileDigest(CURRENT, agreement, { from: FROM, to: TO, now: new Date('2021-01-22T23:00:00Z') });
    expect(onTheDay.deadlines[0]).toMatchObject({ status: 'due', daysLeft: 0, daysOverdue: 0 });
    expect(later.terms.hostilities.change).toBeNull();
  });

  it('builds daily series in local days and the map points', () => {
    expect(d.trend.days).toEqual([
      '2021-01-11',
      '2021-01-12',
      '2021-01-13',
      '2021-01-14',
      '2021-01-15',
      '2021-01-16',
      '2021-01-17',
    ]);
    expect(d.trend.reports).toEqual([3, 1, 1, 0, 0, 0, 1]);
    expect(d.trend.terms.hostilities).toEqual({ violations: [1, 1, 0, 0, 0, 0, 0], compliance: [0, 0, 0, 0, 0, 0, 0] });
    expect(d.trend.terms.mercenary_withdrawal).toEqual({
      violations: [1, 0, 0, 0, 0, 0, 0],
      compliance: [0, 0, 1, 0, 0, 0, 0],
    });
    expect(d.trend.terms.road_opening).toEqual({
      violations: [0, 0, 0, 0, 0, 0, 0],
      compliance: [0, 0, 0, 0, 0, 0, 1],
    });
    expect(d.points.map((p) => [p.id, p.lat, p.lon, p.stance, p.verified])).toEqual([
      [uuid(1), 31.2, 16.6, 'violation', true],
      [uuid(2), 31.25, 16.65, 'violation', false],
      [uuid(3), 29.1, 16, 'compliance', true],
      [uuid(6), 32.3, 15.1, 'compliance', false],
      [uuid(7), 32, 13, 'information', true],
    ]);
  });

  it('is deterministic: same rows in any order give byte-identical JSON and the same contentHash', () => {
    const shuffled = { incidents: [...CURRENT.incidents].reverse(), reports: [...CURRENT.reports!].reverse() };
    const again = compileDigest(shuffled, agreement, { from: FROM, to: TO, previous: PREVIOUS });
    expect(canonicalJson(again)).toBe(canonicalJson(d));
    const { contentHash, ...body } = d;
    expect(contentHash).toBe(sha256Hex(canonicalJson(body)));
    const changed = compileDigest({ ...CURRENT, incidents: CURRENT.incidents.slice(1) }, agreement, {
      from: FROM,
      to: TO,
      previous: PREVIOUS,
    });
    expect(changed.contentHash).not.toBe(contentHash);
  });
});
