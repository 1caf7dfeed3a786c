import { describe, expect, it } from 'vitest';
import { lastCompletedWeek, periodDays, previousPeriod } from '../../../src/digests/period.ts';

describe('digest periods', () => {
  it('takes the last full Monday-to-Monday week in Africa/Tripoli (UTC+2)', () => {
    // Monday 2021-01-18 06:00 local, when the scheduler runs
    expect(lastCompletedWeek(new Date('2021-01-18T04:00:00Z'))).toEqual({
      from: new Date('2021-01-10T22:00:00Z'),
      to: new Date('2021-01-17T22:00:00Z'),
    });
    // Sunday 23:30 local is still inside the running week
    expect(lastCompletedWeek(new Date('2021-01-17T21:30:00Z'))).toEqual({
      from: new Date('2021-01-03T22:00:00Z'),
      to: new Date('2021-01-10T22:00:00Z'),
    });
    expect(lastCompletedWeek(new Date('2021-01-18T04:00:00Z'), 'UTC')).toEqual({
      from: new Date('2021-01-11T00:00:00Z'),
      to: new Date('2021-01-18T00:00:00Z'),
    });
    expect(() => lastCompletedWeek(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });

  it('gives the previous period of equal length', () => {
    expect(previousPeriod(new Date('2021-01-10T22:00:00Z'), new Date('2021-01-12T10:00:00Z'))).toEqual({
      from: new Date('2021-01-09T10:00:00Z'),
      to: new Date('2021-01-10T22:00:00Z'),
    });
  });

  it('lists local days of a range across a month end', () => {
    expect(
      periodDays({ from: new Date('2021-01-30T22:00:00Z'), to: new Date('2021-02-02T10:00:00Z') }, 'Africa/Tripoli'),
    ).toEqual(['2021-01-31', '2021-02-01', '2021-02-02']);
  });
});
