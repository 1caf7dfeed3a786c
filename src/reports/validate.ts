// Turns untrusted input into a ReportInput or an Invalid error naming every bad field.
import { Invalid, zodIssues, type FieldIssue } from '../errors.ts';
import { ReportInput } from './schema.ts';

export function parseReportInput(raw: unknown, maxNarrativeChars: number): ReportInput {
  if (
    raw &&
    typeof raw === 'object' &&
    typeof (raw as { narrative?: unknown }).narrative === 'string' &&
    (raw as { narrative: string }).narrative.length > maxNarrativeChars
  ) {
    throw new Invalid([{ field: 'narrative', reason: `longer than ${maxNarrativeChars} characters` }], 413);
  }
  const parsed = ReportInput.safeParse(raw);
  if (!parsed.success) throw new Invalid(zodIssues(parsed.error));
  // A time ahead of the receipt or in a mistyped year is judged at intake (flags.ts), not refused.
  return parsed.data;
}

/** Multipart carries every field as text; bring the scalar fields back to the JSON shape. */
export function fromMultipartFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  const casualties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) {
      issues.push({ field: key, reason: 'given more than once' });
      continue;
    }
    const text = typeof value === 'string' ? value : undefined;
    if (text === undefined) {
      out[key] = value;
      continue;
    }
    if (['lat', 'lon', 'accuracyM'].includes(key)) {
      if (text.trim() === '') continue;
      const n = Number(text);
      out[key] = Number.isFinite(n) ? n : text;
    } else if (key === 'casualties') {
      if (text.trim() === '') continue;
      try {
        out[key] = JSON.parse(text);
      } catch {
        issues.push({ field: 'casualties', reason: 'must be a JSON object' });
      }
    } else if (key.startsWith('casualties.') || key.startsWith('casualties[')) {
      const sub = key.replace(/^casualties[.[]/, '').replace(/]$/, '');
      if (text.trim() === '') continue;
      const n = Number(text);
      casualties[sub] = Number.isFinite(n) ? n : text;
    } else if ((key === 'placeName' || key === 'partyAlleged') && text.trim() === '') {
      continue;
    } else {
      out[key] = text;
    }
  }
  if (Object.keys(casualties).length) out.casualties = { ...(out.casualties as object | undefined), ...casualties };
  if (issues.length) throw new Invalid(issues, 400);
  return out;
}
