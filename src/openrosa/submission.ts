// Turns an OpenRosa submission (the instance XML Collect, KoboCollect or Enketo posts) into a ReportInput.
import { Invalid, NotFound, type FieldIssue } from '../errors.ts';
import { ReportInput } from '../reports/schema.ts';
import { BINARY_FIELDS, CASUALTY_FIELDS, FORM_ID } from './form.ts';
import { readXml, type XmlElement } from './xml.ts';

export interface ParsedSubmission {
  formId: string;
  formVersion: string | null;
  /** The instanceID without its `uuid:` prefix: the report's clientId. */
  instanceId: string;
  input: ReportInput;
  /** File names the form references; each names a multipart part of the same submission. */
  attachmentNames: string[];
  /** An edit of a sent form (ODK Collect 2025.2+): the instanceID it replaces, without `uuid:`; null for a new form. */
  deprecatedId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ReportInput keys back to the form's field names, so an error names what the observer filled in.
const FORM_FIELD: Record<string, string> = {
  clientId: 'meta/instanceID',
  attachments: 'photo',
  observedAt: 'observed_at',
  lat: 'location',
  lon: 'location',
  accuracyM: 'location',
  placeName: 'place_name',
  narrative: 'narrative',
  partyAlleged: 'party',
  casualties: 'casualties',
};

/** The form's question for an API field ("casualties.killed" → "casualties/killed"), so errors name what Collect shows. */
export function formField(apiField: string): string {
  const [head = '', ...rest] = apiField.split('.');
  // Own keys only: a submitted element named like a prototype member ("constructor") is named as sent.
  return [Object.hasOwn(FORM_FIELD, head) ? FORM_FIELD[head] : head, ...rest].join('/') || 'xml_submission_file';
}

/**
 * Values by element local name, wherever they sit: Kobo and XLSForm copies of the form may wrap fields
 * in groups and add their own metadata (start, end, deviceid, formhub/uuid), which is ignored.
 */
export function collectValues(root: XmlElement): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const walk = (el: XmlElement) => {
    for (const child of el.children) {
      if (child.children.length > 0) {
        walk(child);
        continue;
      }
      // Appended in place: copying the list per element made 40,000 repeated elements cost seconds (quadratic).
      const list = values.get(child.name);
      if (list) list.push(child.text);
      else values.set(child.name, [child.text]);
    }
  };
  walk(root);
  return values;
}

const issue = (field: string, reason: string): FieldIssue => ({ field, reason });

/** ODK writes offsets as +02:00, older JavaRosa as +0200 or +02; a time without an offset is ambiguous. */
export function normaliseDateTime(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(value);
  if (!m) return null;
  const [, minutes, seconds = ':00', zone] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3).replace(':', '') || '00'}`;
  return `${minutes}${seconds}${offset}`;
}

/** "lat lon alt acc" (Collect), "lat lon" or "lat lon 0 0" (Enketo's map pick). */
export function parseGeopoint(value: string): { lat: number; lon: number; accuracyM?: number } | null {
  const parts = value.trim().split(/\s+/).map(Number);
  if (parts.length < 2 || parts.length > 4 || parts.some((n) => !Number.isFinite(n))) return null;
  const [lat, lon, , acc] = parts;
  // Accuracy 0 is what a point placed by hand on a map carries: no measurement, not a perfect fix.
  return acc !== undefined && acc > 0 ? { lat, lon, accuracyM: acc } : { lat, lon };
}

function single(values: Map<string, string[]>, name: string, issues: FieldIssue[]): string | undefined {
  const found = values.get(name) ?? [];
  if (found.length > 1) issues.push(issue(name, 'appears more than once'));
  const v = found[0]?.trim();
  return v ? v : undefined;
}

/** `xml`: the submission's bytes, or its root element when the caller has read it already (to see which form). */
export function parseSubmission(xml: string | Buffer | XmlElement, opts: { maxBytes?: number } = {}): ParsedSubmission {
  const root = typeof xml === 'string' || Buffer.isBuffer(xml) ? readXml(xml, opts.maxBytes) : xml;
  const formId = root.attributes.id?.trim();
  if (!formId) throw new Invalid([issue('id', 'the root element names no form (id attribute)')], 400);
  if (formId !== FORM_ID) throw new NotFound(`form ${formId}`);

  const values = collectValues(root);
  const issues: FieldIssue[] = [];
  const get = (name: string) => single(values, name, issues);

  const rawInstance = get('instanceID');
  const instanceId = rawInstance?.replace(/^uuid:/i, '').toLowerCase();
  if (!instanceId) issues.push(issue('meta/instanceID', 'missing'));
  else if (!UUID.test(instanceId)) issues.push(issue('meta/instanceID', 'not a uuid'));

  // Empty (<deprecatedID/>) in a form never edited; a bad one is refused as a bad instanceID is (Collect's own
  // edits always carry a uuid), rather than filed as a new report that a later resend would duplicate.
  const deprecatedId =
    get('deprecatedID')
      ?.replace(/^uuid:/i, '')
      .toLowerCase() ?? null;
  if (deprecatedId !== null && !UUID.test(deprecatedId)) issues.push(issue('meta/deprecatedID', 'not a uuid'));
  if (deprecatedId !== null && deprecatedId === instanceId)
    issues.push(issue('meta/deprecatedID', 'names the instance itself'));

  const candidate: Record<string, unknown> = { clientId: instanceId, narrative: get('narrative') };
  const observed = get('observed_at');
  if (observed !== undefined) {
    const iso = normaliseDateTime(observed);
    if (iso) candidate.observedAt = iso;
    else issues.push(issue('observed_at', 'not a date-time with a timezone offset'));
  }
  const location = get('location');
  if (location !== undefined) {
    const point = parseGeopoint(location);
    if (point) Object.assign(candidate, point);
    else issues.push(issue('location', 'not a geopoint ("lat lon altitude accuracy")'));
  }
  candidate.placeName = get('place_name');
  candidate.partyAlleged = get('party');
  const casualties: Record<string, number> = {};
  for (const name of CASUALTY_FIELDS) {
    const v = get(name);
    if (v === undefined) continue;
    if (/^\d+$/.test(v)) casualties[name] = Number(v);
    else issues.push(issue(`casualties/${name}`, 'not a whole number'));
  }
  if (Object.keys(casualties).length > 0) candidate.casualties = casualties;
  if (issues.length > 0) throw new Invalid(issues, 422);

  const parsed = ReportInput.safeParse(
    Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    throw new Invalid(
      parsed.error.issues.map((i) => {
        const [head, ...rest] = i.path.map(String);
        return issue(formField([head, ...rest].join('.')), i.message);
      }),
      422,
    );
  }
  const attachmentNames = [
    ...new Set(
      BINARY_FIELDS.flatMap((n) => values.get(n) ?? [])
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  return {
    formId,
    formVersion: root.attributes.version?.trim() || null,
    instanceId: instanceId!,
    input: parsed.data,
    attachmentNames,
    deprecatedId,
  };
}
