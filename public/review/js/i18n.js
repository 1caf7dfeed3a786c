// Commission translations, the observer app's approach: texts in /review/i18n/<lang>.json, markup carries
// data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key"; switching to Arabic flips the page to RTL.
const LOCALES = { en: 'en-GB', ar: 'ar-LY' };
const STORAGE_KEY = 'review.lang';
let lang = 'en';
let dict = {};

export const language = () => lang;
export const locale = () => LOCALES[lang];

export function preferredLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && saved in LOCALES) return saved;
  return (navigator.language || '').toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export async function setLanguage(next) {
  const res = await fetch(`/review/i18n/${next}.json`);
  if (!res.ok) throw new Error(`cannot load language ${next}`);
  dict = await res.json();
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
  document.documentElement.dir = next === 'ar' ? 'rtl' : 'ltr';
  translate(document);
  document.dispatchEvent(new CustomEvent('languagechange'));
}

export function t(key, params = {}) {
  let value = dict[key];
  if (value === undefined) return params.fallback ?? key;
  if (typeof value === 'object') value = value[new Intl.PluralRules(locale()).select(params.count ?? 0)] ?? value.other;
  return value.replace(/\{(\w+)\}/g, (_, name) => {
    const v = params[name];
    return typeof v === 'number' ? formatNumber(v) : String(v ?? '');
  });
}

/** A label for a value of a vocabulary (term, stance, party, state), the raw value when no text exists. */
export const label = (kind, value) => t(`${kind}.${value}`, { fallback: value });

export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

export const formatNumber = (n, options) => new Intl.NumberFormat(locale(), options).format(n);
export const formatPercent = (x) => (x === null || x === undefined ? '–' : formatNumber(x, { style: 'percent', maximumFractionDigits: 0 }));
export const formatDateTime = (value) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Africa/Tripoli' }).format(new Date(value));
export const formatDate = (value) => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(value));

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
