// The follow-up form: how an observer using ODK Collect answers the commission's request for more information, or
// adds to a report already sent. Collect cannot reopen a sent form, so this second form lists the observer's own
// reports as choices (the form is built per observer; its hash changes when the list does, and Collect offers the
// update) and takes an answer and photos, which become an addition to the chosen report (reports/additions.ts).
import { createHash } from 'node:crypto';
import { Invalid, type FieldIssue } from '../errors.ts';
import type { Progress } from '../reports/feedback.ts';
import { FIELDS, GROUPS, type Field, type FormSpec, type Label } from './form.ts';
import { collectValues } from './submission.ts';
import type { XmlElement } from './xml.ts';

export const FOLLOWUP_ID = 'ceasefire_followup';
// The form's own revision; the list of reports adds a suffix, so each list is a version of its own.
const FOLLOWUP_REVISION = '2026120401';

const PROGRESS_LABEL: Record<Progress, Label> = {
  received: { en: 'received', ar: 'تم الاستلام' },
  processed: { en: 'processed', ar: 'تمت المعالجة' },
  in_incident: { en: 'part of an incident', ar: 'ضمن حادثة' },
  under_review: { en: 'under review', ar: 'قيد المراجعة' },
  needs_info: { en: 'MORE INFORMATION NEEDED', ar: 'مطلوب مزيد من المعلومات' },
  verified: { en: 'verified', ar: 'تم التحقق' },
  rejected: { en: 'not confirmed', ar: 'لم يتأكد' },
};

export interface FollowupChoice {
  id: string;
  place: string | null;
  observedAt: Date;
  progress: Progress;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const photo = FIELDS.find((f) => f.group === 'photos')!;

/** The reports to choose from, those waiting for an answer first; `timeZone` is the agreement's. */
export function followupSpec(reports: FollowupChoice[], timeZone: string): FormSpec {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' });
  const ordered = [...reports].sort(
    (a, b) => Number(b.progress === 'needs_info') - Number(a.progress === 'needs_info'),
  );
  const choices = ordered.map((r) => {
    const head = `${r.place ?? '—'} · ${day.format(r.observedAt)}`;
    return {
      value: r.id,
      label: { en: `${head} · ${PROGRESS_LABEL[r.progress].en}`, ar: `${head} · ${PROGRESS_LABEL[r.progress].ar}` },
    };
  });
  const fields: Field[] = [
    {
      name: 'report',
      type: 'select1',
      required: true,
      requiredMsg: { en: 'Choose the report you are adding to.', ar: 'اختر البلاغ الذي تضيف إليه.' },
      label: { en: 'Which of your reports?', ar: 'أي من بلاغاتك؟' },
      hint: { en: 'Reports the commission asks about come first.', ar: 'البلاغات التي تسأل عنها اللجنة تأتي أولاً.' },
      choices,
    },
    {
      name: 'answer',
      type: 'string',
      required: true,
      requiredMsg: { en: 'Write your answer or addition.', ar: 'اكتب ردك أو إضافتك.' },
      appearance: 'multiline',
      label: { en: 'Your answer or addition', ar: 'ردك أو إضافتك' },
    },
    photo,
  ];
  const suffix = createHash('sha256').update(JSON.stringify(choices)).digest('hex').slice(0, 8);
  return {
    id: FOLLOWUP_ID,
    version: `${FOLLOWUP_REVISION}-${suffix}`,
    title: { en: 'Answer or add to a report', ar: 'الرد على بلاغ أو الإضافة إليه' },
    fields,
    groups: { photos: GROUPS.photos! },
  };
}

export interface ParsedFollowup {
  instanceId: string;
  reportId: string;
  text: string;
  attachmentNames: string[];
}

/** A follow-up submission; errors name the form's questions. */
export function parseFollowup(root: XmlElement): ParsedFollowup {
  const values = collectValues(root);
  const issues: FieldIssue[] = [];
  const one = (name: string) => values.get(name)?.[0]?.trim() || undefined;
  const instanceId = one('instanceID')
    ?.replace(/^uuid:/i, '')
    .toLowerCase();
  if (!instanceId || !UUID.test(instanceId)) issues.push({ field: 'meta/instanceID', reason: 'missing or not a uuid' });
  const reportId = one('report')?.toLowerCase();
  if (!reportId || !UUID.test(reportId)) issues.push({ field: 'report', reason: 'choose one of your reports' });
  const text = one('answer') ?? '';
  const attachmentNames = [...new Set((values.get(photo.name) ?? []).map((v) => v.trim()).filter(Boolean))];
  if (!text && attachmentNames.length === 0) issues.push({ field: 'answer', reason: 'write an answer or add a photo' });
  if (issues.length) throw new Invalid(issues, 422);
  return { instanceId: instanceId!, reportId: reportId!, text, attachmentNames };
}
