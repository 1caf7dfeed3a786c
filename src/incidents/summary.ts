// One-line English summary of an incident for the commission queue, digests and exports.
// Term titles come from the agreement the process runs (src/agreements), so another ceasefire only needs other files.
import { activeAgreement, termTitlesOf } from '../agreements/index.ts';

export interface SummaryInput {
  terms: string[];
  stance: 'violation' | 'compliance' | 'information' | null;
  placeName: string | null;
  lat: number | null;
  lon: number | null;
  reportCount: number;
  languages: string[];
  parties: string[];
  casualties: { killed: number; injured: number; missing: number; detained: number };
  firstObservedAt: Date;
  lastObservedAt: Date;
}

export type TermTitles = Record<string, string>;

const STANCE_WORD = { violation: 'Violation', compliance: 'Compliance', information: 'Information' } as const;

function when(first: Date, last: Date): string {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const time = (d: Date) => d.toISOString().slice(11, 16);
  if (day(first) !== day(last)) return `${day(first)} to ${day(last)}`;
  return first.getTime() === last.getTime()
    ? `${day(first)} ${time(first)} UTC`
    : `${day(first)} ${time(first)}–${time(last)} UTC`;
}

function where(s: SummaryInput): string | null {
  if (s.placeName) return `near ${s.placeName}`;
  if (s.lat !== null && s.lon !== null) return `at ${s.lat.toFixed(3)}, ${s.lon.toFixed(3)}`;
  return null;
}

function casualtyText(c: SummaryInput['casualties']): string | null {
  const parts = (['killed', 'injured', 'missing', 'detained'] as const)
    .filter((k) => c[k] > 0)
    .map((k) => `${c[k]} ${k}`);
  return parts.length ? parts.join(', ') : null;
}

export function incidentSummary(s: SummaryInput, titles: TermTitles = termTitlesOf(activeAgreement())): string {
  const terms = s.terms.filter((t) => t !== 'none');
  const what = terms.length
    ? terms.map((t) => titles[t] ?? t.replace(/_/g, ' ')).join('; ')
    : 'Not related to the ceasefire';
  const head = s.stance && terms.length ? `${STANCE_WORD[s.stance]}: ${what}` : what;
  const reports = `${s.reportCount} report${s.reportCount === 1 ? '' : 's'}${s.languages.length ? ` (${s.languages.join('+')})` : ''}`;
  const parties = s.parties.length ? `alleged: ${s.parties.join(', ')}` : null;
  return [head, where(s), casualtyText(s.casualties), parties, reports, when(s.firstObservedAt, s.lastObservedAt)]
    .filter((p): p is string => !!p)
    .join(' · ');
}
