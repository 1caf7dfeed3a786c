// Intl formatters, made once per locale and options: building one costs tens of microseconds, and incident summaries,
// dedup features and digest tables format a date for every report and incident they touch.
const formats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone: 23:30 UTC is the next day in Tripoli. */
export function localDay(at: Date, timeZone: string): string {
  return dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
