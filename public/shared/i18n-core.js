// Translations and locale-aware formatting shared by the observer app and the commission pages. Texts live in
// <base><lang>.json; elements carry data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key" (attributes),
// so markup stays declarative. Switching to Arabic flips the page to right-to-left.
const LOCALES = { en: 'en-GB', ar: 'ar-LY' };

export function createI18n({ base, storageKey, timeZone }) {
  let lang = 'en';
  let dict = {};
  const locale = () => LOCALES[lang];
  const formatNumber = (n, options) => new Intl.NumberFormat(locale(), options).format(n);

  function t(key, params = {}) {
    let value = dict[key];
    if (value === undefined) return params.fallback ?? key;
    if (typeof value === 'object')
      value = value[new Intl.PluralRules(locale()).select(params.count ?? 0)] ?? value.other;
    return value.replace(/\{(\w+)\}/g, (_, name) => {
      const v = params[name];
      return typeof v === 'number' ? formatNumber(v) : String(v ?? '');
    });
  }

  function translate(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        el.setAttribute(attr.trim(), t(key.trim()));
      }
    }
  }

  return {
    language: () => lang,
    locale,
    t,
    translate,
    formatNumber,
    formatDateTime: (value) =>
      new Intl.DateTimeFormat(locale(), {
        dateStyle: 'medium',
        timeStyle: 'short',
        ...(timeZone ? { timeZone } : {}),
      }).format(new Date(value)),
    preferredLanguage() {
      const saved = localStorage.getItem(storageKey);
      if (saved && saved in LOCALES) return saved;
      return (navigator.language || '').toLowerCase().startsWith('ar') ? 'ar' : 'en';
    },
    async setLanguage(next) {
      const res = await fetch(`${base}${next}.json`);
      if (!res.ok) throw new Error(`cannot load language ${next}`);
      dict = await res.json();
      lang = next;
      localStorage.setItem(storageKey, next);
      document.documentElement.lang = next;
      document.documentElement.dir = next === 'ar' ? 'rtl' : 'ltr';
      translate(document);
      document.dispatchEvent(new CustomEvent('languagechange'));
    },
  };
}
