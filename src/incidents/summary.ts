// One-line English summary of an incident for the commission queue, digests and exports.
// Term titles come from the agreement the process runs (src/agreements), so another ceasefire only needs other files.
import { activeAgreement, termTitlesOf } from '../agreements/index.ts';
import { dateTimeFormat } from '../time-format.ts';

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

// Times in the agreement's zone, named ("EET"), as on every page: a reader never takes Tripoli time for UTC.
function when(first: Date, last: Date, tz: string): string {
  const parts = (d: Date) => {
    const p = Object.fromEntries(
      dateTimeFormat('en-GB', {
        timeZone: tz,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      })
        .formatToParts(d)
        .map((x) => [x.type, x.value]),
    );
    return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, zone: p.timeZoneName };
  };
  const a = parts(first);
  const b = parts(last);
  if (a.day !== b.day) return `${a.day} to ${b.day}`;
  return first.getTime() === last.getTime() ? `${a.day} ${a.time} ${a.zone}` : `${a.day} ${a.time}–${b.time} ${b.zone}`;
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

export function incidentSummary(
  s: SummaryInput,
  titles: TermTitles = termTitlesOf(activeAgreement()),
  tz: string = activeAgreement().timezone,
): string {
  const terms = s.terms.filter((t) => t !== 'none');
  const what = terms.length
    ? terms.map((t) => titles[t] ?? t.replace(/_/g, ' ')).join('; ')
    : 'Not related to the ceasefire';
  const head = s.stance && terms.length ? `${STANCE_WORD[s.stance]}: ${what}` : what;
  const reports = `${s.reportCount} report${s.reportCount === 1 ? '' : 's'}${s.languages.length ? ` (${s.languages.join('+')})` : ''}`;
  const parties = s.parties.length ? `alleged: ${s.parties.join(', ')}` : null;
  return [head, where(s), casualtyText(s.casualties), parties, reports, when(s.firstObservedAt, s.lastObservedAt, tz)]
    .filter((p): p is string => !!p)
    .join(' · ');
}
