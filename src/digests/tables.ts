// The digest's tables as plain text rows, shared by the HTML and PDF renderers so both say the same thing.
import {
  deadlineStatus,
  digestTermIds,
  formatChange,
  LABELS,
  notableText,
  partyName,
  placeLabel,
  reviewStateName,
  termTitle,
} from './labels.ts';
import type { DigestAgreement, DigestData, Lang } from './types.ts';
import { localDay } from '../time-format.ts';

export interface DigestTable {
  id: string;
  title: string;
  head: string[];
  rows: string[][];
  widths: number[];
}

export function digestTables(data: DigestData, agreement: DigestAgreement, lang: Lang): DigestTable[] {
  const l = LABELS[lang];
  const termIds = digestTermIds(agreement, data);
  const parties = Object.keys(data.parties);
  const s = (n: number) => String(n);
  return [
    {
      id: 'totals',
      title: l.totals,
      widths: [1, 1, 1, 1, 1, 1, 1],
      head: [l.incidents, l.reports, l.verified, l.violations, l.compliance, l.information, l.rejected],
      rows: [
        [
          data.totals.incidents,
          data.totals.reports,
          data.totals.verified,
          data.totals.violations,
          data.totals.compliance,
          data.totals.information,
          data.totals.rejected,
        ].map(s),
      ],
    },
    {
      id: 'terms',
      title: l.byTerm,
      widths: [3, 1.6, 1.6, 1.1, 1, 1.6, 1.6],
      head: [
        l.term,
        `${l.violations} (${l.verified} / ${l.unverified})`,
        `${l.compliance} (${l.verified} / ${l.unverified})`,
        l.information,
        l.verified,
        `${l.change}: ${l.violations}`,
        `${l.change}: ${l.compliance}`,
      ],
      rows: termIds.map((id) => {
        const t = data.terms[id];
        return [
          termTitle(agreement, id, lang),
          `${t.violations} (${t.verifiedViolations} / ${t.unverifiedViolations})`,
          `${t.compliance} (${t.verifiedCompliance} / ${t.unverifiedCompliance})`,
          s(t.information),
          s(t.verified),
          formatChange(t.change?.violations, lang),
          formatChange(t.change?.compliance, lang),
        ];
      }),
    },
    {
      id: 'parties',
      title: l.byParty,
      widths: [2, ...parties.map(() => 1.5)],
      head: [l.term, ...parties.map((id) => `${partyName(agreement, id, lang)}: ${l.violations} / ${l.compliance}`)],
      rows: termIds
        .filter((id) => data.terms[id].incidents > 0)
        .map((id) => [
          termTitle(agreement, id, lang),
          ...parties.map(
            (p) => `${data.terms[id].parties[p]?.violations ?? 0} / ${data.terms[id].parties[p]?.compliance ?? 0}`,
          ),
        ]),
    },
    {
      id: 'deadlines',
      title: l.deadlines,
      widths: [4, 1.3, 1.4, 1.2, 1.2],
      head: [l.term, l.due, l.status, `${l.violations} ${l.inPeriod}`, `${l.compliance} ${l.inPeriod}`],
      rows: data.deadlines.map((d) => [
        agreement.deadlines.find((x) => x.id === d.id)?.title[lang] ?? d.id,
        d.due,
        deadlineStatus(d, lang),
        s(d.violationsInPeriod),
        s(d.complianceInPeriod),
      ]),
    },
    {
      id: 'places',
      title: l.places,
      widths: [3, 1, 1, 1, 1],
      head: [l.place, l.incidents, l.violations, l.compliance, l.verified],
      rows: data.topPlaces.map((x) => [
        placeLabel(x.placeName, lang),
        s(x.incidents),
        s(x.violations),
        s(x.compliance),
        s(x.verified),
      ]),
    },
    {
      id: 'notable',
      title: l.notable,
      widths: [1.3, 1.3, 2, 1.2, 0.9, 0.9, 4],
      head: [l.observed, l.place, l.term, l.reviewState, l.severity, l.reports, l.summary],
      rows: data.notable.map((n) => [
        localDay(new Date(n.firstObservedAt), data.period.timezone),
        placeLabel(n.placeName, lang),
        n.terms.map((t) => termTitle(agreement, t, lang)).join(lang === 'ar' ? '، ' : ', '),
        reviewStateName(n.state, lang),
        s(n.severity),
        s(n.reportCount),
        notableText(n, agreement, lang),
      ]),
    },
  ];
}
