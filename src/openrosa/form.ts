// The ceasefire report as an XForm: one field list drives both the form XML served to ODK Collect
// and the reading of its submissions, so the two cannot drift apart.
import { PARTIES } from '../reports/schema.ts';

export const FORM_ID = 'ceasefire_report';
// Collect decides whether to re-download a form by (formID, version) and the hash; bump on any change.
export const FORM_VERSION = '2020102303';
export const FORM_ROOT = 'data';

export interface Label {
  en: string;
  ar: string;
}

export type FieldType = 'string' | 'dateTime' | 'geopoint' | 'select1' | 'int' | 'binary';

export interface Field {
  /** Element name in the instance; `group` is the parent element, if any. */
  name: string;
  group?: string;
  type: FieldType;
  label: Label;
  hint?: Label;
  required?: boolean | string;
  requiredMsg?: Label;
  choices?: ReadonlyArray<{ value: string; label: Label }>;
  appearance?: string;
  /** The default the blank instance carries. */
  initial?: string;
}

export const LANGUAGES = [
  // "Name (code)" is the form pyxform writes; Enketo reads the code from it to lay Arabic out right-to-left.
  { key: 'en', lang: 'English (en)', isDefault: true },
  { key: 'ar', lang: 'Arabic (ar)', isDefault: false },
] as const;

export const FORM_TITLE: Label = { en: 'Ceasefire incident report', ar: 'تقرير حادثة وقف إطلاق النار' };

export interface Group {
  label: Label;
  /** A repeat: the observer adds as many as needed, up to the per-report file limit for photos. */
  repeat?: boolean;
}

export const GROUPS: Readonly<Record<string, Group>> = {
  casualties: { label: { en: 'Casualties (leave blank if unknown)', ar: 'الضحايا (اتركه فارغاً إن كان غير معروف)' } },
  photos: { label: { en: 'Photos', ar: 'الصور' }, repeat: true },
};

// Phones take 12-megapixel photos; at a few KB/s a single one takes minutes. Collect scales an image down to this
// long side before saving it, which keeps what a reviewer needs to read a plate or a vehicle type.
export const MAX_PIXELS = 2048;

const PARTY_LABELS: Record<(typeof PARTIES)[number], Label> = {
  LAAF: { en: 'LAAF (Libyan Arab Armed Forces)', ar: 'القوات المسلحة العربية الليبية' },
  GNA: { en: 'GNA (Government of National Accord)', ar: 'حكومة الوفاق الوطني' },
  foreign: { en: 'Foreign forces or mercenaries', ar: 'قوات أجنبية أو مرتزقة' },
  unknown: { en: 'Unknown', ar: 'غير معروف' },
};

const count = (name: string, en: string, ar: string): Field => ({
  name,
  group: 'casualties',
  type: 'int',
  label: { en, ar },
});

export const FIELDS: readonly Field[] = [
  {
    name: 'narrative',
    type: 'string',
    required: true,
    requiredMsg: { en: 'Describe what happened.', ar: 'صِف ما حدث.' },
    appearance: 'multiline',
    label: { en: 'What happened?', ar: 'ماذا حدث؟' },
    hint: { en: 'Who, what, where, how many, and how you know.', ar: 'من، ماذا، أين، كم العدد، وكيف عرفت.' },
  },
  {
    name: 'observed_at',
    type: 'dateTime',
    required: true,
    requiredMsg: { en: 'Give the date and time it was observed.', ar: 'أدخل تاريخ ووقت المشاهدة.' },
    label: { en: 'When was it observed?', ar: 'متى شوهدت الحادثة؟' },
  },
  {
    name: 'location',
    type: 'geopoint',
    label: { en: 'Position (GPS)', ar: 'الموقع (GPS)' },
    hint: { en: 'Wait for a good accuracy before saving.', ar: 'انتظر حتى تتحسن الدقة قبل الحفظ.' },
  },
  {
    name: 'place_name',
    type: 'string',
    // Mirrors ReportInput's rule: a report needs a position or a place name.
    required: 'string-length(/data/location) = 0',
    requiredMsg: { en: 'Give a GPS position or a place name.', ar: 'أدخل موقع GPS أو اسم المكان.' },
    label: { en: 'Place name', ar: 'اسم المكان' },
    hint: {
      en: 'Town, road or landmark; required without a GPS position.',
      ar: 'المدينة أو الطريق أو المعلم؛ مطلوب إن لم يتوفر موقع GPS.',
    },
  },
  {
    name: 'party',
    type: 'select1',
    initial: 'unknown',
    label: { en: 'Party alleged', ar: 'الطرف المنسوب إليه الفعل' },
    choices: PARTIES.map((value) => ({ value, label: PARTY_LABELS[value] })),
  },
  count('killed', 'Killed', 'قتلى'),
  count('injured', 'Injured', 'جرحى'),
  count('missing', 'Missing', 'مفقودون'),
  count('detained', 'Detained', 'محتجزون'),
  {
    name: 'photo',
    group: 'photos',
    type: 'binary',
    label: { en: 'Photo', ar: 'صورة' },
    hint: { en: 'Optional. Add another with the + button.', ar: 'اختياري. أضف صورة أخرى بزر +.' },
  },
];

export const CASUALTY_FIELDS = FIELDS.filter((f) => f.group === 'casualties').map((f) => f.name);
export const BINARY_FIELDS = FIELDS.filter((f) => f.type === 'binary').map((f) => f.name);

export function fieldPath(f: Pick<Field, 'name' | 'group'>): string {
  return `/${FORM_ROOT}/${f.group ? `${f.group}/` : ''}${f.name}`;
}

/** One XForm as data: what the builder (xform.ts) writes and a submission reader reads. */
export interface FormSpec {
  id: string;
  version: string;
  title: Label;
  fields: readonly Field[];
  groups: Readonly<Record<string, Group>>;
}

export const REPORT_FORM: FormSpec = {
  id: FORM_ID,
  version: FORM_VERSION,
  title: FORM_TITLE,
  fields: FIELDS,
  groups: GROUPS,
};
