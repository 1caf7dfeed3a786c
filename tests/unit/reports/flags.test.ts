import { describe, expect, it } from 'vitest';
import { judgeObservedAt } from '../../../src/reports/flags.ts';

// Received on 14 Nov 2020 at 10:00 UTC (12:00 in Tripoli).
const NOW = new Date('2020-11-14T10:00:00Z');

describe('judgeObservedAt: a time the phone got wrong is kept in the flag, and a likely one stored', () => {
  it('keeps a time at or before the receipt as it is, unflagged', () => {
    expect(judgeObservedAt('2020-11-14T05:40:00+02:00', NOW)).toEqual({
      observedAt: '2020-11-14T05:40:00+02:00',
      flags: [],
    });
  });

  it('lets a phone a minute ahead of the server pass (drift, a request in flight)', () => {
    expect(judgeObservedAt('2020-11-14T10:01:00Z', NOW).flags).toEqual([]);
  });

  it('clamps a clock 15 minutes fast (a wrong time zone) to the receipt and says so', () => {
    expect(judgeObservedAt('2020-11-14T12:15:00+02:00', NOW)).toEqual({
      observedAt: '2020-11-14T10:00:00.000Z',
      flags: [
        {
          code: 'clock_ahead',
          field: 'observedAt',
          reported: '2020-11-14T12:15:00+02:00',
          inferred: '2020-11-14T10:00:00.000Z',
        },
      ],
    });
  });

  it('clamps a time hours ahead the same way', () => {
    const judged = judgeObservedAt('2020-11-14T19:00:00Z', NOW);
    expect(judged.observedAt).toBe('2020-11-14T10:00:00.000Z');
    expect(judged.flags[0]!.code).toBe('clock_ahead');
  });

  it('reads a future year as a mistyped one: the same day and hour in the year of receipt', () => {
    const judged = judgeObservedAt('2021-11-14T05:40:00+02:00', NOW);
    expect(judged.observedAt).toBe('2020-11-14T03:40:00.000Z');
    expect(judged.flags).toEqual([
      {
        code: 'year_mistyped',
        field: 'observedAt',
        reported: '2021-11-14T05:40:00+02:00',
        inferred: '2020-11-14T03:40:00.000Z',
      },
    ]);
  });

  it('clamps a future year whose day would still be ahead in the year of receipt', () => {
    const judged = judgeObservedAt('2062-12-01T08:00:00Z', NOW);
    expect(judged.observedAt).toBe(NOW.toISOString());
    expect(judged.flags[0]!.code).toBe('clock_ahead');
  });

  it('reads a year before 2000 (1020 for 2020) as this year, or last year when that day is still ahead', () => {
    expect(judgeObservedAt('1020-11-13T08:00:00Z', NOW).observedAt).toBe('2020-11-13T08:00:00.000Z');
    const december = judgeObservedAt('1920-12-01T08:00:00Z', NOW);
    expect(december.observedAt).toBe('2019-12-01T08:00:00.000Z');
    expect(december.flags[0]).toMatchObject({ code: 'year_mistyped', reported: '1920-12-01T08:00:00Z' });
  });

  it('keeps a year no database could store (year 0) as text in the flag', () => {
    const judged = judgeObservedAt('0000-11-14T05:40:00Z', NOW);
    expect(judged.observedAt).toBe('2020-11-14T05:40:00.000Z');
    expect(judged.flags[0]!.reported).toBe('0000-11-14T05:40:00Z');
  });
});
