// Language of a narrative: Arabic when Arabic letters are at least as many as Latin ones.
export type Language = 'en' | 'ar';

export function detectLanguage(text: string): Language {
  let ar = 0;
  let latin = 0;
  // Code units, not code points: a surrogate is in neither range, as an astral character is in neither.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      (c >= 0x0600 && c <= 0x06ff) ||
      (c >= 0x0750 && c <= 0x077f) ||
      (c >= 0xfb50 && c <= 0xfdff) ||
      (c >= 0xfe70 && c <= 0xfeff)
    )
      ar++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0x00c0 && c <= 0x024f)) latin++;
  }
  return ar > 0 && ar >= latin ? 'ar' : 'en';
}

export const hasArabic = (s: string) => /[\u0600-\u06FF]/.test(s);
