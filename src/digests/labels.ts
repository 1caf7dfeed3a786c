// Words and number formats shared by the HTML and PDF renderers, in English and Arabic.
// Numbers stay in Western digits in both languages, as in Libyan official and UN documents.
import { placeNameAr } from '../incidents/view.ts';
import type { Change, DigestAgreement, DigestData, IncidentStateName, Lang, StanceName } from './types.ts';
import { localDay } from '../time-format.ts';

export const LABELS = {
  en: {
    title: 'Weekly compliance digest',
    period: 'Period',
    previous: 'compared with',
    timezone: 'Times in',
    totals: 'Overview',
    incidents: 'Incidents',
    reports: 'Reports',
    verified: 'Verified',
    unverified: 'Unverified',
    rejected: 'Rejected',
    violations: 'Violations',
    compliance: 'Compliance',
    information: 'Information',
    term: 'Term',
    change: 'Change from previous period',
    byTerm: 'Violations and compliance per term',
    byParty: 'Per party (all allegations, verified or not)',
    party: 'Party',
    places: 'Places with most incidents',
    place: 'Place',
    notable: 'Notable incidents: every severe one, whatever its review, and the most severe verified',
    reviewState: 'Review state',
    weekSummary: 'The period in brief',
    severity: 'Severity',
    observed: 'First observed',
    summary: 'Summary',
    deadlines: 'Agreement deadlines',
    due: 'Due',
    status: 'Status',
    daysLeft: 'days left',
    daysOverdue: 'days overdue',
    dueToday: 'due today',
    inPeriod: 'in this period',
    map: 'Map of incidents',
    trend: 'Daily violations per term',
    none: 'None in this period',
    newSince: 'new',
    legendVerified: 'verified (filled) / not yet verified (ring)',
    shownOf: 'shown of',
    contentHash: 'Content hash',
    auditAnchor: 'Audit record (check with npm run audit:verify -- --anchor)',
    reportsPerDay: 'reports per day',
  },
  ar: {
    title: 'الموجز الأسبوعي للامتثال',
    period: 'الفترة',
    previous: 'مقارنة بالفترة',
    timezone: 'التوقيت حسب',
    totals: 'نظرة عامة',
    incidents: 'الحوادث',
    reports: 'البلاغات',
    verified: 'مؤكدة',
    unverified: 'غير مؤكدة',
    rejected: 'مرفوضة',
    violations: 'الخروقات',
    compliance: 'الامتثال',
    information: 'معلومات',
    term: 'البند',
    change: 'التغير عن الفترة السابقة',
    byTerm: 'الخروقات والامتثال حسب البند',
    byParty: 'حسب الطرف (كل الادعاءات، مؤكدة أو لا)',
    party: 'الطرف',
    places: 'الأماكن الأكثر حوادث',
    place: 'المكان',
    notable: 'أبرز الحوادث: كل حادثة خطيرة أياً كانت حالة مراجعتها، وأخطر الحوادث المؤكدة',
    reviewState: 'حالة المراجعة',
    weekSummary: 'الفترة باختصار',
    severity: 'الخطورة',
    observed: 'أول رصد',
    summary: 'الملخص',
    deadlines: 'المواعيد النهائية في الاتفاق',
    due: 'الموعد',
    status: 'الحالة',
    daysLeft: 'يوماً متبقياً',
    daysOverdue: 'يوماً من التأخير',
    dueToday: 'يحل اليوم',
    inPeriod: 'في هذه الفترة',
    map: 'خريطة الحوادث',
    trend: 'الخروقات اليومية حسب البند',
    none: 'لا شيء في هذه الفترة',
    newSince: 'جديد',
    legendVerified: 'مؤكدة (دائرة ممتلئة) / قيد التحقق (حلقة)',
    shownOf: 'معروضة من أصل',
    contentHash: 'بصمة المحتوى',
    auditAnchor: 'قيد سجل التدقيق (للتحقق: npm run audit:verify -- --anchor)',
    reportsPerDay: 'بلاغ يومياً',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type Labels = (typeof LABELS)[Lang];

export function termTitle(agreement: DigestAgreement, termId: string, lang: Lang): string {
  return agreement.terms.find((t) => t.id === termId)?.title[lang] ?? termId;
}

export function partyName(agreement: DigestAgreement, partyId: string, lang: Lang): string {
  return agreement.parties.find((p) => p.id === partyId)?.name[lang] ?? partyId;
}

/** Terms shown in tables and charts: the agreement's own, "not related" left out. */
export function digestTermIds(agreement: DigestAgreement, data: DigestData): string[] {
  return agreement.terms.map((t) => t.id).filter((id) => id !== 'none' && data.terms[id]);
}

export function formatChange(change: Change | undefined, lang: Lang): string {
  if (!change) return '–';
  const sign = change.delta > 0 ? '+' : change.delta < 0 ? '−' : '±';
  const pct =
    change.percent === null
      ? change.delta
        ? ` (${LABELS[lang].newSince})`
        : ''
      : ` (${sign}${Math.abs(change.percent)}%)`;
  return `${sign}${Math.abs(change.delta)}${pct}`;
}

export function deadlineStatus(d: DigestData['deadlines'][number], lang: Lang): string {
  const l = LABELS[lang];
  if (d.status === 'due') return l.dueToday;
  return d.status === 'overdue' ? `${d.daysOverdue} ${l.daysOverdue}` : `${d.daysLeft} ${l.daysLeft}`;
}

/** The period as local calendar dates, end inclusive: a Monday-to-Monday week reads "Mon – Sun". */
export function periodText(data: DigestData): { from: string; to: string; previousFrom: string; previousTo: string } {
  const day = (iso: string, endExclusive = false) => {
    const at = new Date(Date.parse(iso) - (endExclusive ? 1 : 0));
    return localDay(at, data.period.timezone);
  };
  return {
    from: day(data.period.from),
    to: day(data.period.to, true),
    previousFrom: day(data.period.previousFrom),
    previousTo: day(data.period.previousTo, true),
  };
}

export function stanceLabel(stance: StanceName | null, lang: Lang): string {
  return stance ? LABELS[lang][stance === 'violation' ? 'violations' : stance] : '–';
}

/** A place in the digest's language: the gazetteer's Arabic name in Arabic, the stored name otherwise. */
export function placeLabel(name: string | null, lang: Lang): string {
  if (!name) return '–';
  return lang === 'ar' ? (placeNameAr(name) ?? name) : name;
}

// One incident's stance, in the singular (the tables' column heads are plurals: "Violations").
const STANCE_ONE = {
  en: { violation: 'Violation', compliance: 'Compliance', information: 'Information' },
  ar: { violation: 'خرق', compliance: 'امتثال', information: 'معلومات' },
} as const satisfies Record<Lang, Record<StanceName, string>>;

// Arabic counts agree with their noun: one report, two (dual), three to ten (plural), eleven and more (singular).
function reportsAr(n: number): string {
  if (n === 1) return 'بلاغ واحد';
  if (n === 2) return 'بلاغان';
  const rem = n % 100;
  return rem >= 3 && rem <= 10 ? `${n} بلاغات` : `${n} بلاغاً`;
}

/**
 * The one line that names a notable incident. English keeps the pipeline's stored summary (it carries the
 * casualties); Arabic is written from the same facts, so an Arabic digest never falls back to English prose.
 */
export function notableText(n: DigestData['notable'][number], agreement: DigestAgreement, lang: Lang): string {
  if (lang === 'en' && n.summary) return n.summary;
  const sep = lang === 'ar' ? '، ' : ', ';
  const terms = n.terms.filter((t) => t !== 'none').map((t) => termTitle(agreement, t, lang));
  const stance = n.stance ? STANCE_ONE[lang][n.stance] : '–';
  const head = terms.length ? `${stance}: ${terms.join(sep)}` : stance;
  const near = n.placeName ? `${lang === 'ar' ? 'قرب' : 'near'} ${placeLabel(n.placeName, lang)}` : null;
  const parties = n.parties.length
    ? `${lang === 'ar' ? 'الطرف المنسوب إليه' : 'alleged'}: ${n.parties.map((p) => partyName(agreement, p, lang)).join(sep)}`
    : null;
  const reports = lang === 'ar' ? reportsAr(n.reportCount) : `${n.reportCount} report${n.reportCount === 1 ? '' : 's'}`;
  return [head, near, parties, reports].filter(Boolean).join(' · ');
}

const STATE_NAMES = {
  en: {
    new: 'New',
    under_review: 'Under review',
    needs_info: 'Needs info',
    verified: 'Verified',
    rejected: 'Rejected',
  },
  ar: {
    new: 'جديدة',
    under_review: 'قيد المراجعة',
    needs_info: 'بحاجة إلى معلومات',
    verified: 'مؤكَّدة',
    rejected: 'مرفوضة',
  },
} as const satisfies Record<Lang, Record<IncidentStateName, string>>;

/** A notable incident's review state; digests compiled before states were recorded listed verified ones only. */
export const reviewStateName = (state: IncidentStateName | undefined, lang: Lang): string =>
  STATE_NAMES[lang][state ?? 'verified'];
