// Intl formatters, made once per locale and options: building one costs tens of microseconds, and incident summaries,
// dedup features and digest tables format a date for every report and incident they touch.
const formats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

// The local day of an instant is remembered per UTC quarter hour: in nearly every zone and year offsets are whole
// quarter hours and change on one, so one quarter hour falls in one local day. Not in all (Canada changed clocks at
// 00:01 local until 2011, Kiritimati was -10:40 until 1979): a quarter hour whose first and last instants fall on
// different days is never remembered, and each of its instants is formatted. Dedup asks for the day of every report
// it meets; a remembered day costs well under a microsecond, a formatted one a few.
const QUARTER_HOUR = 900_000;
const days = new Map<string, Map<number, string>>();
const MAX_DAYS_PER_ZONE = 50_000;

/** The calendar day (YYYY-MM-DD) of an instant in a time zone: 23:30 UTC is the next day in Tripoli. */
export function localDay(at: Date, timeZone: string): string {
  const quarter = Math.floor(at.getTime() / QUARTER_HOUR);
  let zone = days.get(timeZone);
  const known = zone?.get(quarter);
  if (known !== undefined) return known;
  // Only on a quarter hour not yet remembered: the formatter cache's key costs nothing that matters here.
  const f = dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const day = f.format(at);
  const start = quarter * QUARTER_HOUR;
  // A day boundary inside this quarter hour: its instants are not all on one day.
  if (f.format(start) !== day || f.format(start + QUARTER_HOUR - 1) !== day) return day;
  if (!zone) days.set(timeZone, (zone = new Map()));
  else if (zone.size >= MAX_DAYS_PER_ZONE) zone.clear();
  zone.set(quarter, day);
  return day;
}
