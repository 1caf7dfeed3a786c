// A hand-built week (Mon 2021-01-11 to Mon 2021-01-18, Africa/Tripoli = UTC+2) whose digest figures are worked out by hand
// in compile.test.ts; the integration test seeds the same rows into PostgreSQL.
import type { DigestIncident, DigestInput, DigestReport } from '../../../src/digests/types.ts';

export const FROM = new Date('2021-01-10T22:00:00Z');
export const TO = new Date('2021-01-17T22:00:00Z');
export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

const t = (iso: string) => new Date(iso);
function incident(n: number, p: Partial<DigestIncident> & Pick<DigestIncident, 'state' | 'terms' | 'stance'>): DigestIncident {
  const firstObservedAt = p.firstObservedAt ?? t('2021-01-12T10:00:00Z');
  return { id: uuid(n), parties: [], placeName: null, lat: null, lon: null, firstObservedAt, lastObservedAt: p.lastObservedAt ?? firstObservedAt,
    reportCount: 1, summary: null, severity: 0, ...p };
}
function report(n: number, incidentId: string, p: Partial<DigestReport> & Pick<DigestReport, 'terms' | 'observedAt'>): DigestReport {
  return { id: uuid(1000 + n), incidentId, stance: 'violation', partyAlleged: 'unknown', placeName: null, lat: null, lon: null, language: 'en', ...p };
}

const A = incident(1, { state: 'verified', terms: ['hostilities'], stance: 'violation', parties: ['LAAF'], placeName: 'Sirte', lat: 31.2, lon: 16.6,
  firstObservedAt: t('2021-01-11T08:00:00Z'), lastObservedAt: t('2021-01-11T23:30:00Z'), reportCount: 3, severity: 5,
  summary: 'Artillery shelling west of Sirte.\nThree reports from two observers.' });
const B = incident(2, { state: 'under_review', terms: ['hostilities'], stance: 'violation', parties: ['GNA'], placeName: 'Sirte', lat: 31.25, lon: 16.65, severity: 3 });
const C = incident(3, { state: 'verified', terms: ['mercenary_withdrawal'], stance: 'compliance', parties: ['foreign'], placeName: 'Al-Jufra', lat: 29.1, lon: 16.0,
  firstObservedAt: t('2021-01-13T09:00:00Z'), reportCount: 2, severity: 2, summary: 'Foreign fighters departed Al-Jufra airbase by air.' });
// began before the period: counted, and placed on the first day of the trend
const D = incident(4, { state: 'new', terms: ['mercenary_withdrawal', 'troop_return'], stance: 'violation', parties: ['foreign', 'LAAF'], placeName: 'Al-Jufra',
  firstObservedAt: t('2021-01-10T20:00:00Z'), lastObservedAt: t('2021-01-11T10:00:00Z'), reportCount: 4, severity: 4 });
const E = incident(5, { state: 'rejected', terms: ['hostilities'], stance: 'violation', placeName: 'Misrata', lat: 32.37, lon: 15.09,
  firstObservedAt: t('2021-01-14T12:00:00Z'), severity: 1 });
// 23:30 local on Sunday 17th: still inside the week
const F = incident(6, { state: 'needs_info', terms: ['road_opening'], stance: 'compliance', placeName: 'Misrata', lat: 32.3, lon: 15.1,
  firstObservedAt: t('2021-01-17T21:30:00Z') });
const G = incident(7, { state: 'verified', terms: ['road_opening'], stance: 'information', parties: ['GNA'], lat: 32.0, lon: 13.0,
  firstObservedAt: t('2021-01-15T06:00:00Z'), severity: 1 });

export const CURRENT: DigestInput = {
  incidents: [G, F, E, D, C, B, A],
  reports: [
    report(1, A.id, { terms: ['hostilities'], partyAlleged: 'LAAF', observedAt: t('2021-01-11T08:00:00Z') }),
    report(2, A.id, { terms: ['hostilities'], partyAlleged: 'LAAF', observedAt: t('2021-01-11T09:00:00Z'), language: 'ar' }),
    report(3, A.id, { terms: ['hostilities'], observedAt: t('2021-01-11T23:30:00Z'), language: 'ar' }), // 01:30 local on the 12th
    report(4, C.id, { terms: ['mercenary_withdrawal'], stance: 'compliance', partyAlleged: 'foreign', observedAt: t('2021-01-13T09:00:00Z') }),
    report(5, D.id, { terms: ['mercenary_withdrawal', 'troop_return'], partyAlleged: 'foreign', observedAt: t('2021-01-11T10:00:00Z'), language: 'ar' }),
    report(6, F.id, { terms: ['road_opening'], stance: 'compliance', observedAt: t('2021-01-17T21:30:00Z'), language: null }),
  ],
};

const prevAt = t('2021-01-06T10:00:00Z');
export const PREVIOUS: DigestInput = {
  incidents: [
    incident(101, { state: 'verified', terms: ['hostilities'], stance: 'violation', parties: ['LAAF'], firstObservedAt: prevAt }),
    incident(102, { state: 'new', terms: ['hostilities'], stance: 'violation', parties: ['GNA'], firstObservedAt: prevAt }),
    incident(103, { state: 'new', terms: ['hostilities'], stance: 'violation', firstObservedAt: prevAt }),
    incident(104, { state: 'verified', terms: ['mercenary_withdrawal'], stance: 'compliance', parties: ['foreign'], firstObservedAt: prevAt }),
    incident(105, { state: 'rejected', terms: ['road_opening'], stance: 'violation', firstObservedAt: prevAt }),
  ],
  reports: [],
};
