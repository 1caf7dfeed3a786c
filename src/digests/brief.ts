// "The period in brief": a few sentences a commission can read aloud, written from the digest's own figures in
// English and Arabic (Arabic as label: figure, which reads correctly whatever the number). Verified and unverified
// are always said apart: an allegation is never reported as an established fact.
import { digestTermIds, termTitle } from './labels.ts';
import type { DigestAgreement, DigestData, Lang } from './types.ts';

export function digestBrief(data: DigestData, agreement: DigestAgreement, lang: Lang): string[] {
  const t = data.totals;
  const unverified = t.incidents - t.verified - t.rejected;
  const severe = data.notable.filter((n) => n.severe);
  const severeVerified = severe.filter((n) => n.state === 'verified').length;
  const top = digestTermIds(agreement, data)
    .map((id) => ({ id, n: data.terms[id]!.violations, verified: data.terms[id]!.verifiedViolations }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || (a.id < b.id ? -1 : 1))[0];
  const overdue = data.deadlines.filter((d) => d.status === 'overdue').length;
  if (lang === 'ar')
    return [
      `الحوادث: ${t.incidents}، البلاغات: ${t.reports}؛ المؤكدة: ${t.verified}، غير المؤكدة بعد: ${unverified}، المرفوضة: ${t.rejected}.`,
      `الخروقات المدّعاة: ${t.violations}، الامتثال: ${t.compliance} (دون المرفوضة).`,
      top
        ? `أكثر البنود خروقات: ${termTitle(agreement, top.id, 'ar')} (${top.n}، المؤكد منها: ${top.verified}).`
        : 'لم تُسجَّل خروقات في هذه الفترة.',
      severe.length
        ? `الحوادث الخطيرة: ${severe.length}، المؤكد منها: ${severeVerified}؛ كلها مذكورة أدناه مع حالة مراجعتها.`
        : 'لا حوادث خطيرة في هذه الفترة.',
      ...(overdue ? [`مواعيد الاتفاق المتجاوزة: ${overdue}.`] : []),
    ];
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  return [
    `${n(t.incidents, 'incident')} from ${n(t.reports, 'report')}: ${t.verified} verified, ${unverified} not yet verified, ${t.rejected} rejected.`,
    `${n(t.violations, 'alleged violation')} and ${n(t.compliance, 'report', 'reports')} of compliance (rejected incidents left out).`,
    top
      ? `Most violations concern ${termTitle(agreement, top.id, 'en')} (${top.n}, ${top.verified} verified).`
      : 'No violation was recorded in the period.',
    severe.length
      ? `${n(severe.length, 'severe incident')}, ${severeVerified} verified: each is named below with its review state.`
      : 'No severe incident in the period.',
    ...(overdue ? [`${n(overdue, 'agreement deadline')} overdue.`] : []),
  ];
}
