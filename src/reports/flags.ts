// What a reviewer should check in a report that was accepted as sent. Field data is never refused for something a
// reviewer can judge (a phone clock in the wrong zone, a mistyped year, a point outside Libya): a finalized ODK form
// cannot be edited, so a refusal loses the report. Each flag keeps what was reported and what the system used instead.
import { z } from 'zod';

export const FLAG_CODES = [
  // observedAt
  'clock_ahead',
  'year_mistyped',
  // position and place (set by the pipeline, which holds the gazetteer)
  'outside_area',
  'swapped_coordinates',
  'place_mismatch',
  'unknown_place',
  // an ODK edit made from an earlier version than the latest: the versions in between are not in it
  'edited_from_older',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const ReportFlag = z
  .object({
    code: z.enum(FLAG_CODES),
    field: z.enum(['observedAt', 'position', 'placeName', 'version']),
    reported: z.unknown().meta({ description: 'The value as the observer sent it.' }),
    inferred: z.unknown().meta({ description: 'What intake and dedup use instead (null: nothing could be inferred).' }),
  })
  .meta({ id: 'ReportFlag', description: 'A doubt about a report, for the reviewer; the report itself was accepted.' });
export type ReportFlag = z.infer<typeof ReportFlag>;

/** The pipeline's flags replace its earlier ones on a rerun; intake's stay. */
export const PIPELINE_FLAG_FIELDS = ['position', 'placeName'] as const;

// A phone a little ahead of the server (NTP drift, a request in flight) is not worth a reviewer's time.
const CLOCK_TOLERANCE_MS = 2 * 60_000;
// No report of this mission can be older: a year before it is a typing slip, not history.
const EARLIEST_PLAUSIBLE = Date.UTC(2000, 0, 1);

export interface JudgedTime {
  /** The instant stored as observedAt (ISO 8601): the reported one, or the inferred one when it was implausible. */
  observedAt: string;
  flags: ReportFlag[];
}

/**
 * The observation time to store for a reported one, received at `now`. A time ahead of the receipt is a skewed
 * clock (clamped to the receipt) unless only the year is off, as when "2002" is typed for "2020" or a phone's
 * year is wrong: then the same day and hour in the receipt's year, or the year before when that would still be
 * ahead, is the likelier reading. Both keep the reported text in the flag, which may not even be storable as a date.
 */
export function judgeObservedAt(reported: string, now: Date): JudgedTime {
  const at = Date.parse(reported);
  const receipt = now.getTime();
  if (at <= receipt + CLOCK_TOLERANCE_MS && at >= EARLIEST_PLAUSIBLE) return { observedAt: reported, flags: [] };
  const sameDayThisYear = withYear(at, now.getUTCFullYear());
  const sameDayLastYear = withYear(at, now.getUTCFullYear() - 1);
  const yearOff = new Date(at).getUTCFullYear() !== now.getUTCFullYear();
  let inferred: number;
  let code: FlagCode;
  if (yearOff && sameDayThisYear <= receipt) [inferred, code] = [sameDayThisYear, 'year_mistyped'];
  else if (at < EARLIEST_PLAUSIBLE) [inferred, code] = [sameDayLastYear, 'year_mistyped'];
  else [inferred, code] = [receipt, 'clock_ahead'];
  const observedAt = new Date(inferred).toISOString();
  return { observedAt, flags: [{ code, field: 'observedAt', reported, inferred: observedAt }] };
}

function withYear(ms: number, year: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(year);
  return d.getTime();
}
