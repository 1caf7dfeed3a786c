// What the reviewer should check in a report that was accepted as sent (a skewed phone clock, a point outside the
// mission area, swapped coordinates, a typed place far from the point, an edit made from an older version): what was
// reported and what was used.
import { h } from './dom.js';
import { t, formatDateTime, formatNumber, language } from './i18n.js';

// Isolated left to right (U+2066…U+2069): inside Arabic text the pair would otherwise read longitude first.
const point = (p) =>
  p && p.lat != null && p.lon != null
    ? `\u2066${formatNumber(p.lat, { maximumFractionDigits: 4 })}, ${formatNumber(p.lon, { maximumFractionDigits: 4 })}\u2069`
    : '–';
// A mistyped year may be one no date type holds (year 0): then the text as sent is shown.
const when = (iso) => (Number.isFinite(Date.parse(iso)) ? formatDateTime(iso) : String(iso));
const placeName = (i) => (i ? (language() === 'ar' ? i.placeAr : i.place) : null);
const typedName = (i) => (language() === 'ar' ? i.typedPlaceAr : i.typedPlace);

/** A flag in words: what was reported and what was used instead. */
export function flagText(f) {
  const r = f.reported ?? {};
  const i = f.inferred;
  switch (f.code) {
    case 'clock_ahead':
    case 'year_mistyped':
      return t(`flag.${f.code}`, { reported: when(f.reported), inferred: when(i) });
    case 'outside_area':
      return i
        ? t('flag.outside_area', { reported: point(r), place: placeName(i) })
        : t('flag.outside_area_unplaced', { reported: point(r) });
    case 'swapped_coordinates':
      return t('flag.swapped_coordinates', { reported: point(r), inferred: point(i) });
    case 'place_mismatch':
      return t('flag.place_mismatch', {
        typed: typedName(i),
        distance: Math.round(i.distanceKm),
        reported: point(r),
        place: placeName(i),
      });
    case 'unknown_place':
      return t('flag.unknown_place', { typed: r.placeName });
    case 'edited_from_older':
      return t('flag.edited_from_older', { reported: formatNumber(f.reported), inferred: formatNumber(i) });
    default:
      return t('flag.other', { code: f.code });
  }
}

/** The report's flags as a list the reviewer reads first; nothing when there are none. */
export function reportFlags(r) {
  if (!r.flags?.length) return null;
  return h(
    'section',
    { class: 'report-flags', role: 'note', 'aria-label': t('flag.heading') },
    h('h4', {}, t('flag.heading')),
    h(
      'ul',
      {},
      r.flags.map((f) => h('li', { dataset: { flag: f.code } }, flagText(f))),
    ),
  );
}
