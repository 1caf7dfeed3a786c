// Language of a narrative: Arabic when Arabic letters are at least as many as Latin ones.
export type Language = 'en' | 'ar';

export function detectLanguage(text: string): Language {
  let ar = 0;
  let latin = 0;
  for (const ch of text) {
    if (/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/.test(ch)) ar++;
    else if (/[A-Za-z\u00C0-\u024F]/.test(ch)) latin++;
  }
  return ar > 0 && ar >= latin ? 'ar' : 'en';
}

export const hasArabic = (s: string) => /[\u0600-\u06FF]/.test(s);
