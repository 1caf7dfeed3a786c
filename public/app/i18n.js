// Observer app translations (texts in /i18n/<lang>.json); formatting follows the device's own time zone.
import { createI18n } from '/shared/i18n-core.js';

const i18n = createI18n({ base: '/i18n/', storageKey: 'observer.lang' });
export const { language, locale, preferredLanguage, setLanguage, t, translate, formatNumber, formatDateTime } = i18n;

export function formatRelative(when) {
  const seconds = Math.round((when - Date.now()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  if (Math.abs(seconds) < 60) return rtf.format(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  return rtf.format(Math.round(minutes / 60), 'hour');
}

/** A size in words of the language: "256 kB", "1.2 MB" (in Arabic with its own digits and units). */
export function formatBytes(bytes) {
  const mb = bytes >= 1024 * 1024;
  return formatNumber(mb ? bytes / (1024 * 1024) : bytes / 1024, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: mb ? 1 : 0,
  });
}
