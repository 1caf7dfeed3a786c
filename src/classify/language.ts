// Language of a narrative: Arabic when Arabic letters are at least as many as Latin ones.
export type Language = 'en' | 'ar';

export function detectLanguage(text: string): Language {
  let ar = 0;
  let latin = 0;
  // Code units, not code points: a surrogate is in neither range, as an astral character is in neither.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) || (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF)) ar++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0x00C0 && c <= 0x024F)) latin++;
  }
  return ar > 0 && ar >= latin ? 'ar' : 'en';
}

export const hasArabic = (s: string) => /[\u0600-\u06FF]/.test(s);
