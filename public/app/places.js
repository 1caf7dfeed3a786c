// Place-name suggestions: the server's gazetteer when reachable, else the town list shipped with the app,
// so autocomplete still helps an observer who is offline.
let localPlaces = null;

async function local() {
  localPlaces ??= fetch('/map/places.json').then((r) => (r.ok ? r.json() : []));
  return localPlaces;
}

// Lower-case, strip Latin accents, Arabic diacritics/tatweel, and unify alef forms, for forgiving matching.
export function fold(s) {
  return (
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
      .replace(/[أإآ]/g, 'ا')
      .replace(/[ةھہۀەۃ]/g, 'ه')
      // Persian and Urdu keyboards' letters, as the server's normalisation folds them (src/classify/normalize.ts).
      .replace(/[ىیے]/g, 'ي')
      .replace(/[کڪ]/g, 'ك')
      .replace(/پ/g, 'ب')
      .replace(/چ/g, 'تش')
      .replace(/[ڤڥ]/g, 'ف')
      .toLowerCase()
  );
}

export async function suggestPlaces(q, limit = 10) {
  if (navigator.onLine) {
    try {
      const res = await fetch(`/api/places?q=${encodeURIComponent(q)}&limit=${limit}`, { credentials: 'same-origin' });
      // The contract once said a bare array; the API answers {items}. Accept both.
      if (res.ok) {
        const body = await res.json();
        return Array.isArray(body) ? body : (body.items ?? []);
      }
    } catch {
      /* fall through to the bundled list */
    }
  }
  const needle = fold(q);
  return (await local())
    .filter((p) => [p.name, p.nameAr || '', ...(p.aka || [])].some((n) => fold(n).includes(needle)))
    .slice(0, limit);
}
