// Reading a report against its evidence: narrative with the classifier's evidence spans marked, and the
// photo's EXIF time/position checked against what the observer reported.
import { h } from './dom.js';
import { label } from './i18n.js';

/** Narrative text with <mark> around each evidence span ({start,end} offsets into the narrative). */
export function markedNarrative(text, terms = []) {
  const spans = [];
  for (const term of terms) {
    for (const e of term.evidence ?? []) {
      const start = Math.max(0, e.start);
      const end = Math.min(text.length, e.end);
      if (end > start) spans.push({ start, end, terms: [term.id] });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  // Overlapping spans (two terms citing the same words) are merged so every character is marked once.
  const merged = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      last.terms.push(...s.terms);
    } else merged.push({ ...s, terms: [...s.terms] });
  }
  const out = [];
  let at = 0;
  for (const s of merged) {
    if (s.start > at) out.push(text.slice(at, s.start));
    const names = [...new Set(s.terms)].map((id) => label('term', id)).join(', ');
    out.push(
      h('mark', { title: names, dataset: { terms: [...new Set(s.terms)].join(' ') } }, text.slice(s.start, s.end)),
    );
    at = s.end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

const EARTH_KM = 6371;
export function distanceKm(a, b) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const x = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_KM * Math.asin(Math.sqrt(x));
}

// Beyond these a photo probably shows another moment or place than the report says (or its clock is off).
export const MAX_KM = 2;
export const MAX_HOURS = 3;

/** Where the report says it was: the observer's coordinates, else the gazetteer's for the place name. */
// A point the server judged implausible (outside the area, swapped) is not drawn where it was sent: the flag says so.
const DOUBTED_POSITION = new Set(['outside_area', 'swapped_coordinates']);

export function reportPosition(r) {
  const doubted = (r.flags ?? []).some((f) => DOUBTED_POSITION.has(f.code));
  if (!doubted && Number.isFinite(r.lat) && Number.isFinite(r.lon)) return { lat: r.lat, lon: r.lon };
  if (Number.isFinite(r.resolvedLat) && Number.isFinite(r.resolvedLon))
    return { lat: r.resolvedLat, lon: r.resolvedLon };
  return null;
}

/** { km, hours, farApart, timeApart } comparing an attachment's EXIF with its report; null fields when unknown. */
export function exifCheck(report, a) {
  const pos = reportPosition(report);
  const km =
    pos && Number.isFinite(a.exifLat) && Number.isFinite(a.exifLon)
      ? distanceKm(pos, { lat: a.exifLat, lon: a.exifLon })
      : null;
  const hours = a.exifTakenAt ? Math.abs(new Date(a.exifTakenAt) - new Date(report.observedAt)) / 3.6e6 : null;
  return { km, hours, farApart: km !== null && km > MAX_KM, timeApart: hours !== null && hours > MAX_HOURS };
}
