// Calendar arithmetic for digests, in the agreement's time zone (Libya: Africa/Tripoli).
import { DateTime } from 'luxon';

export interface Period {
  from: Date;
  to: Date;
}

/** The period of equal length that ends where this one starts: the baseline for "change from last period". */
export function previousPeriod(from: Date, to: Date): Period {
  return { from: new Date(from.getTime() - (to.getTime() - from.getTime())), to: new Date(from.getTime()) };
}

/** The last full Monday-00:00-to-Monday-00:00 week before `now`, in `tz`: what the weekly scheduler digests. */
export function lastCompletedWeek(now: Date, tz = 'Africa/Tripoli'): Period {
  const monday = DateTime.fromJSDate(now, { zone: tz }).startOf('week'); // luxon weeks are ISO: they start on Monday
  if (!monday.isValid) throw new RangeError(`unknown time zone ${tz}`);
  return { from: monday.minus({ weeks: 1 }).toJSDate(), to: monday.toJSDate() };
}

/**
 * Maps instants to their local calendar date (YYYY-MM-DD). Memoised per 15 minutes, the granularity of
 * every real UTC offset, because a digest buckets up to hundreds of thousands of timestamps.
 */
export function localDater(tz: string): (at: Date) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
  const memo = new Map<number, string>();
  return (at) => {
    const key = Math.floor(at.getTime() / 900_000);
    let day = memo.get(key);
    if (day === undefined) {
      day = fmt.format(at);
      memo.set(key, day);
    }
    return day;
  };
}

/** Whole days from calendar date `a` to `b` (both YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Local calendar dates from the day of `from` up to the last instant before `to`. */
export function periodDays(period: Period, tz: string): string[] {
  const dayOf = localDater(tz);
  const first = dayOf(period.from);
  const last = dayOf(new Date(period.to.getTime() - 1));
  const days: string[] = [];
  for (let d = first; d <= last; d = DateTime.fromISO(d, { zone: 'utc' }).plus({ days: 1 }).toISODate()!) days.push(d);
  return days;
}
