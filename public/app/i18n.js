// Translations and locale-aware formatting. Texts live in /i18n/<lang>.json; elements carry
// data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key" (attributes), so markup stays declarative.
const LOCALES = { en: 'en-GB', ar: 'ar-LY' };
const STORAGE_KEY = 'observer.lang';
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
  const res = await fetch(`/i18n/${next}.json`);
  if (!res.ok) throw new Error(`cannot load language ${next}`);
  dict = await res.json();
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  const html = document.documentElement;
  html.lang = next;
  html.dir = next === 'ar' ? 'rtl' : 'ltr';
  translate(document);
  document.dispatchEvent(new CustomEvent('languagechange'));
}

export function t(key, params = {}) {
  let value = dict[key];
  if (value === undefined) return key;
  if (typeof value === 'object') {
    const form = new Intl.PluralRules(locale()).select(params.count ?? 0);
    value = value[form] ?? value.other;
  }
  return value.replace(/\{(\w+)\}/g, (_, name) => {
    const v = params[name];
    return typeof v === 'number' ? formatNumber(v) : String(v ?? '');
  });
}

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

export const formatDateTime = (value) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));

export function formatRelative(when) {
  const seconds = Math.round((when - Date.now()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  if (Math.abs(seconds) < 60) return rtf.format(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  return rtf.format(Math.round(minutes / 60), 'hour');
}
