// Builds the XForm (ODK XForms spec) for the ceasefire report from the field list in form.ts.
import { createHash } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import {
  FORM_ROOT,
  LANGUAGES,
  MAX_PIXELS,
  REPORT_FORM,
  fieldPath,
  type Field,
  type FormSpec,
  type Label,
} from './form.ts';

export const NS = {
  xforms: 'http://www.w3.org/2002/xforms',
  h: 'http://www.w3.org/1999/xhtml',
  ev: 'http://www.w3.org/2001/xml-events',
  jr: 'http://openrosa.org/javarosa',
  orx: 'http://openrosa.org/xforms',
  odk: 'http://www.opendatakit.org/xforms',
  xsd: 'http://www.w3.org/2001/XMLSchema',
} as const;

const INSTANCE_ID = `/${FORM_ROOT}/orx:meta/orx:instanceID`;
const MAX_COUNT = 100_000; // same bound as ReportInput's casualty counts

// In XForms the bind type of a single choice is its value's type; select1 is only the body control.
const bindType = (t: Field['type']) => (t === 'select1' ? 'string' : t);
const itext = (id: string) => `jr:itext('${id}')`;

interface Text {
  id: string;
  label: Label;
}

export interface FormOptions {
  /** The per-report file limit (MAX_ATTACHMENTS): the photo repeat stops there, as the web app does. */
  maxPhotos: number;
}

const inRepeat = (spec: FormSpec, f: Field) => Boolean(f.group && spec.groups[f.group]?.repeat);

function texts(spec: FormSpec, opts: FormOptions): Text[] {
  const out: Text[] = [];
  const used = new Set(spec.fields.map((f) => f.group));
  for (const [name, g] of Object.entries(spec.groups))
    if (used.has(name)) out.push({ id: `${fieldPath({ name })}:label`, label: g.label });
  for (const f of spec.fields) {
    const p = fieldPath(f);
    out.push({ id: `${p}:label`, label: f.label });
    if (f.hint) out.push({ id: `${p}:hint`, label: f.hint });
    if (f.requiredMsg) out.push({ id: `${p}:jr:requiredMsg`, label: f.requiredMsg });
    if (f.type === 'int')
      out.push({
        id: `${p}:jr:constraintMsg`,
        label: { en: `A whole number from 0 to ${MAX_COUNT}.`, ar: `عدد صحيح من 0 إلى ${MAX_COUNT}.` },
      });
    if (inRepeat(spec, f))
      out.push({
        id: `${p}:jr:constraintMsg`,
        label: { en: `At most ${opts.maxPhotos} photos.`, ar: `${opts.maxPhotos} صور على الأكثر.` },
      });
    for (const c of f.choices ?? []) out.push({ id: `${p}/${c.value}:label`, label: c.label });
  }
  return out;
}

function addInstance(model: XMLBuilder, spec: FormSpec): void {
  const data = model.ele('instance').ele(FORM_ROOT, { id: spec.id, version: spec.version });
  const groups = new Map<string, XMLBuilder>();
  for (const f of spec.fields) {
    let parent = data;
    if (f.group) {
      if (!groups.has(f.group)) groups.set(f.group, data.ele(f.group));
      parent = groups.get(f.group)!;
    }
    const el = parent.ele(f.name);
    if (f.initial) el.txt(f.initial);
  }
  data.ele('orx:meta').ele('orx:instanceID');
}

function addBinds(model: XMLBuilder, spec: FormSpec, opts: FormOptions): void {
  for (const f of spec.fields) {
    const p = fieldPath(f);
    const attrs: Record<string, string> = { nodeset: p, type: bindType(f.type) };
    if (f.required === true) attrs.required = 'true()';
    else if (typeof f.required === 'string') attrs.required = f.required;
    if (f.requiredMsg) attrs['jr:requiredMsg'] = itext(`${p}:jr:requiredMsg`);
    if (f.type === 'int') {
      attrs.constraint = `. >= 0 and . <= ${MAX_COUNT}`;
      attrs['jr:constraintMsg'] = itext(`${p}:jr:constraintMsg`);
    }
    if (f.type === 'binary') attrs['orx:max-pixels'] = String(MAX_PIXELS);
    // XLSForm's way to bound a repeat: the field of the repeat after the last allowed one refuses a value.
    if (inRepeat(spec, f)) {
      attrs.constraint = `position(..) <= ${opts.maxPhotos}`;
      attrs['jr:constraintMsg'] = itext(`${p}:jr:constraintMsg`);
    }
    model.ele('bind', attrs);
  }
  // jr:preload="uid" makes Collect fill "uuid:<v4>" once per filled form; it is the idempotency key.
  model.ele('bind', { nodeset: INSTANCE_ID, type: 'string', readonly: 'true()', 'jr:preload': 'uid' });
  // Observed time defaults to the moment the form is opened but stays editable (an XForms action, not a preload).
  const observed = spec.fields.find((f) => f.type === 'dateTime');
  if (observed) model.ele('setvalue', { event: 'odk-instance-first-load', ref: fieldPath(observed), value: 'now()' });
}

function addControl(parent: XMLBuilder, f: Field): void {
  const p = fieldPath(f);
  const tag = f.type === 'select1' ? 'select1' : f.type === 'binary' ? 'upload' : 'input';
  const attrs: Record<string, string> = { ref: p };
  if (f.appearance) attrs.appearance = f.appearance;
  if (f.type === 'binary') attrs.mediatype = 'image/*';
  const el = parent.ele(tag, attrs);
  el.ele('label', { ref: itext(`${p}:label`) });
  if (f.hint) el.ele('hint', { ref: itext(`${p}:hint`) });
  for (const c of f.choices ?? []) {
    const item = el.ele('item');
    item.ele('label', { ref: itext(`${p}/${c.value}:label`) });
    item.ele('value').txt(c.value);
  }
}

function addBody(html: XMLBuilder, spec: FormSpec): void {
  const body = html.ele('h:body');
  const groups = new Map<string, XMLBuilder>();
  for (const f of spec.fields) {
    let parent = body;
    if (f.group) {
      if (!groups.has(f.group)) {
        const ref = fieldPath({ name: f.group });
        const g = body.ele('group', { ref });
        g.ele('label', { ref: itext(`${ref}:label`) });
        groups.set(f.group, spec.groups[f.group]?.repeat ? g.ele('repeat', { nodeset: ref }) : g);
      }
      parent = groups.get(f.group)!;
    }
    addControl(parent, f);
  }
}

export function buildXForm(
  opts: FormOptions = { maxPhotos: DEFAULT_MAX_PHOTOS },
  spec: FormSpec = REPORT_FORM,
): string {
  const html = create({ version: '1.0', encoding: 'UTF-8' }).ele('h:html', {
    xmlns: NS.xforms,
    'xmlns:h': NS.h,
    'xmlns:ev': NS.ev,
    'xmlns:jr': NS.jr,
    'xmlns:orx': NS.orx,
    'xmlns:odk': NS.odk,
    'xmlns:xsd': NS.xsd,
  });
  const head = html.ele('h:head');
  head.ele('h:title').txt(formTitle(spec));
  const model = head.ele('model', { 'odk:xforms-version': '1.0.0' });
  const itextEl = model.ele('itext');
  const all = texts(spec, opts);
  for (const lang of LANGUAGES) {
    const tr = itextEl.ele(
      'translation',
      lang.isDefault ? { lang: lang.lang, default: 'true()' } : { lang: lang.lang },
    );
    for (const t of all) tr.ele('text', { id: t.id }).ele('value').txt(t.label[lang.key]);
  }
  addInstance(model, spec);
  addBinds(model, spec, opts);
  addBody(html, spec);
  return html.end({ prettyPrint: true });
}

export const formTitle = (spec: FormSpec = REPORT_FORM) => `${spec.title.en} / ${spec.title.ar}`;

export interface PublishedForm {
  formId: string;
  version: string;
  name: string;
  xml: string;
  hash: string;
}

// The configuration's default per-report file limit (config.ts MAX_ATTACHMENTS).
const DEFAULT_MAX_PHOTOS = 10;
const published = new Map<number, PublishedForm>();

/** Any form as served, with the md5 hash of its bytes (forms built per observer are not cached). */
export function publish(spec: FormSpec, opts: FormOptions): PublishedForm {
  const xml = buildXForm(opts, spec);
  const hash = `md5:${createHash('md5').update(xml, 'utf8').digest('hex')}`;
  return { formId: spec.id, version: spec.version, name: formTitle(spec), xml, hash };
}

/** The form as served: built once per process, with the md5 hash formList must report for exactly these bytes. */
export function publishedForm(maxPhotos = DEFAULT_MAX_PHOTOS): PublishedForm {
  let form = published.get(maxPhotos);
  if (!form) {
    form = publish(REPORT_FORM, { maxPhotos });
    published.set(maxPhotos, form);
  }
  return form;
}
