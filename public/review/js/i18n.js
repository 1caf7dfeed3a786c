// Commission translations (texts in /review/i18n/<lang>.json); times shown in Libya's own time zone.
import { createI18n } from '/shared/i18n-core.js';

const i18n = createI18n({ base: '/review/i18n/', storageKey: 'review.lang' });
export const { language, locale, preferredLanguage, setLanguage, t, translate, formatNumber } = i18n;

// One convention on every commission page: the agreement's zone (Libya), and the zone named beside the time, so a
// reviewer abroad never reads Tripoli time as their own.
export const TIME_ZONE = 'Africa/Tripoli';
export const formatDateTime = (value) =>
  new Intl.DateTimeFormat(locale(), {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: TIME_ZONE,
    timeZoneName: 'short',
  }).format(new Date(value));
/** The calendar day of an instant in Libya (an incident at 23:30 UTC happened the next day there). */
export const formatDay = (value) =>
  new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', year: 'numeric', timeZone: TIME_ZONE }).format(
    new Date(value),
  );

/** A label for a value of a vocabulary (term, stance, party, state), the raw value when no text exists. */
export const label = (kind, value) => t(`${kind}.${value}`, { fallback: value });

export const formatPercent = (x) =>
  x === null || x === undefined ? '–' : formatNumber(x, { style: 'percent', maximumFractionDigits: 0 });

/** "3 days ago" style age, coarse on purpose: the queue is sorted by it, the exact time is on the incident page. */
export function formatAge(when, now = Date.now()) {
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const minutes = Math.round((new Date(when).getTime() - now) / 60000);
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return rtf.format(hours, 'hour');
  const days = Math.round(hours / 24);
  if (Math.abs(days) < 60) return rtf.format(days, 'day');
  if (Math.abs(days) < 730) return rtf.format(Math.round(days / 30), 'month');
  return rtf.format(Math.round(days / 365), 'year');
}

/** The Libyan calendar day of an instant as YYYY-MM-DD (file names, date inputs). */
export const isoDay = (value) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(value),
  );
/** The last day a period covers: its end is exclusive (midnight starting the next day in Libya). */
export const lastDayOf = (end) => new Date(new Date(end).getTime() - 1);
