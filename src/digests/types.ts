// Shapes the digest is compiled from (plain rows, so compileDigest stays pure) and the data it produces.
export type Lang = 'en' | 'ar';
export type Localized = Record<Lang, string>;
export type StanceName = 'violation' | 'compliance' | 'information';
export type IncidentStateName = 'new' | 'under_review' | 'verified' | 'rejected' | 'needs_info';

export interface DigestAgreement {
  id: string;
  title: Localized;
  timezone: string;
  parties: Array<{ id: string; name: Localized }>;
  terms: Array<{ id: string; title: Localized }>;
  deadlines: Array<{ id: string; term: string; due: string; title: Localized }>;
}

export interface DigestIncident {
  id: string;
  state: IncidentStateName;
  terms: string[];
  stance: StanceName | null;
  parties: string[];
  placeName: string | null;
  lat: number | null;
  lon: number | null;
  firstObservedAt: Date;
  lastObservedAt: Date;
  reportCount: number;
  summary: string | null;
  severity: number;
}

export interface DigestReport {
  id: string;
  incidentId: string | null;
  terms: string[];
  stance: StanceName | null;
  partyAlleged: string;
  observedAt: Date;
  placeName: string | null;
  lat: number | null;
  lon: number | null;
  language: string | null;
}

/** Reports counted in SQL: `count` reports observed on local `day` with these terms and language. */
export interface DigestReportGroup {
  day: string;
  language: string | null;
  terms: string[];
  count: number;
}

/** Reports may come one by one, or already grouped (what loadDigestInput does, to stay fast at 100k a week). */
export interface DigestInput {
  incidents: DigestIncident[];
  reports?: DigestReport[];
  reportGroups?: DigestReportGroup[];
}

/** Incidents in id order and every report folded into day/language/terms groups. */
export interface GroupedInput {
  incidents: DigestIncident[];
  groups: DigestReportGroup[];
}

export interface StanceCounts {
  violations: number;
  compliance: number;
  information: number;
}
export interface Change {
  previous: number;
  delta: number;
  percent: number | null;
}

export interface TermFigures extends StanceCounts {
  incidents: number;
  reports: number;
  verified: number;
  rejected: number;
  verifiedViolations: number;
  unverifiedViolations: number;
  verifiedCompliance: number;
  unverifiedCompliance: number;
  verifiedInformation: number;
  unverifiedInformation: number;
  parties: Record<string, StanceCounts>;
  change: { violations: Change; compliance: Change; information: Change; verified: Change } | null;
}

export interface DigestData {
  version: 1;
  agreementId: string;
  period: {
    from: string;
    to: string;
    days: number;
    timezone: string;
    previousFrom: string;
    previousTo: string;
    referenceDate: string;
  };
  totals: {
    incidents: number;
    reports: number;
    verified: number;
    rejected: number;
    violations: number;
    compliance: number;
    information: number;
    byState: Record<IncidentStateName, number>;
    reportsByLanguage: Record<string, number>;
  };
  terms: Record<string, TermFigures>;
  parties: Record<string, StanceCounts & { incidents: number }>;
  topPlaces: Array<{
    placeName: string;
    incidents: number;
    violations: number;
    compliance: number;
    verified: number;
    lat: number | null;
    lon: number | null;
  }>;
  notable: Array<{
    id: string;
    /** Review state (absent in digests compiled before it was recorded: those listed verified ones only). */
    state?: IncidentStateName;
    severe?: boolean;
    terms: string[];
    stance: StanceName | null;
    parties: string[];
    placeName: string | null;
    firstObservedAt: string;
    severity: number;
    reportCount: number;
    summary: string | null;
  }>;
  deadlines: Array<{
    id: string;
    term: string;
    due: string;
    status: 'upcoming' | 'due' | 'overdue';
    daysLeft: number;
    daysOverdue: number;
    violationsInPeriod: number;
    complianceInPeriod: number;
  }>;
  trend: { days: string[]; reports: number[]; terms: Record<string, { violations: number[]; compliance: number[] }> };
  points: Array<{
    id: string;
    lat: number;
    lon: number;
    stance: StanceName | null;
    verified: boolean;
    severity: number;
    terms: string[];
  }>;
  contentHash: string;
}
