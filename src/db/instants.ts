// A date in a query or body travels to PostgreSQL as a timestamptz: JavaScript accepts years PostgreSQL refuses
// (year 0, year 275760), which surfaced as a 500. Anything outside this window is refused as the client's error.
export const EARLIEST_INSTANT = Date.UTC(1900, 0, 1);
export const LATEST_INSTANT = Date.UTC(3000, 0, 1);
export const INSTANT_RANGE_REASON = 'must be between 1900 and 2999';

export const isStorableInstant = (ms: number): boolean =>
  Number.isFinite(ms) && ms >= EARLIEST_INSTANT && ms < LATEST_INSTANT;
