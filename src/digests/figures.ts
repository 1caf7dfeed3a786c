// Per-term and per-party counts. Incidents (not reports) are the unit: five reports of one shelling are one violation.
// Rejected incidents are counted apart and left out of every stance count; the rest are verified or not yet.
import type { Change, DigestIncident, GroupedInput, StanceCounts, StanceName, TermFigures } from './types.ts';

const STANCE_KEY = {
  violation: 'violations',
  compliance: 'compliance',
  information: 'information',
} as const satisfies Record<StanceName, keyof StanceCounts>;
const VERIFIED_KEY = {
  violation: 'verifiedViolations',
  compliance: 'verifiedCompliance',
  information: 'verifiedInformation',
} as const;
const UNVERIFIED_KEY = {
  violation: 'unverifiedViolations',
  compliance: 'unverifiedCompliance',
  information: 'unverifiedInformation',
} as const;

export const zeroStances = (): StanceCounts => ({ violations: 0, compliance: 0, information: 0 });

/** Parties an incident is attributed to; an unattributed incident counts under "unknown". */
export const partiesOf = (i: DigestIncident): string[] =>
  i.parties.length ? [...new Set(i.parties)].sort() : ['unknown'];

export function addStance(counts: StanceCounts, stance: StanceName | null): void {
  if (stance) counts[STANCE_KEY[stance]] += 1;
}

function emptyTerm(partyIds: string[]): TermFigures {
  return {
    incidents: 0,
    reports: 0,
    verified: 0,
    rejected: 0,
    ...zeroStances(),
    verifiedViolations: 0,
    unverifiedViolations: 0,
    verifiedCompliance: 0,
    unverifiedCompliance: 0,
    verifiedInformation: 0,
    unverifiedInformation: 0,
    parties: Object.fromEntries(partyIds.map((p) => [p, zeroStances()])),
    change: null,
  };
}

/** Counts for every agreement term (zeros included, so tables and series line up across digests). */
export function termFigures(input: GroupedInput, termIds: string[], partyIds: string[]): Record<string, TermFigures> {
  const terms: Record<string, TermFigures> = Object.fromEntries(termIds.map((t) => [t, emptyTerm(partyIds)]));
  const termOf = (id: string) => (terms[id] ??= emptyTerm(partyIds)); // a term id the agreement file no longer lists
  for (const incident of input.incidents) {
    for (const termId of new Set(incident.terms)) {
      const t = termOf(termId);
      t.incidents += 1;
      if (incident.state === 'rejected') {
        t.rejected += 1;
        continue;
      }
      const verified = incident.state === 'verified';
      if (verified) t.verified += 1;
      addStance(t, incident.stance);
      if (incident.stance) t[(verified ? VERIFIED_KEY : UNVERIFIED_KEY)[incident.stance]] += 1;
      for (const party of partiesOf(incident)) addStance((t.parties[party] ??= zeroStances()), incident.stance);
    }
  }
  for (const g of input.groups) for (const termId of g.terms) termOf(termId).reports += g.count;
  return terms;
}

function change(current: number, previous: number): Change {
  const delta = current - previous;
  return { previous, delta, percent: previous === 0 ? null : Math.round((delta / previous) * 1000) / 10 };
}

export function withChange(current: Record<string, TermFigures>, previous: Record<string, TermFigures>): void {
  for (const [id, t] of Object.entries(current)) {
    const p = previous[id];
    t.change = {
      violations: change(t.violations, p?.violations ?? 0),
      compliance: change(t.compliance, p?.compliance ?? 0),
      information: change(t.information, p?.information ?? 0),
      verified: change(t.verified, p?.verified ?? 0),
    };
  }
}
