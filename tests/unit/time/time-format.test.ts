import { describe, expect, it } from 'vitest';
import { dateTimeFormat, localDay } from '../../../src/time-format.ts';

describe('time formats', () => {
  it('makes one formatter per locale and options, and another for other options', () => {
    const a = dateTimeFormat('en-GB', { timeZone: 'Africa/Tripoli', hour: '2-digit' });
    expect(dateTimeFormat('en-GB', { timeZone: 'Africa/Tripoli', hour: '2-digit' })).toBe(a);
    expect(dateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit' })).not.toBe(a);
  });

  it('gives the local calendar day: 23:30 UTC is the next day in Tripoli, the same day in UTC', () => {
    const at = new Date('2020-10-23T23:30:00Z');
    expect(localDay(at, 'Africa/Tripoli')).toBe('2020-10-24');
    expect(localDay(at, 'UTC')).toBe('2020-10-23');
  });
});

describe('localDay', () => {
  // Zones with half- and three-quarter-hour offsets, a half-hour daylight shift, and transitions either way.
  const zones = [
    'Africa/Tripoli',
    'Europe/Berlin',
    'America/St_Johns',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'UTC',
  ];
  const intl = (at: Date, timeZone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

  it('agrees with Intl every 7 minutes for 36 hours around local midnights and daylight-saving changes', () => {
    const starts = ['2020-10-24T21:00:00Z', '2021-03-27T22:00:00Z', '2021-10-30T22:00:00Z', '2021-04-03T12:00:00Z'];
    for (const timeZone of zones)
      for (const s of starts)
        for (let m = 0; m < 36 * 60; m += 7) {
          const at = new Date(Date.parse(s) + m * 60_000 + 13_000);
          expect(localDay(at, timeZone), `${timeZone} ${at.toISOString()}`).toBe(intl(at, timeZone));
        }
  });

  it('is right in a quarter hour that holds a day boundary, whichever instant is asked first', () => {
    // St John's changed clocks at 00:01 local until 2011; Kiritimati was 10:40 behind UTC until 1979.
    const cases: Array<[string, string[]]> = [
      [
        'America/St_Johns',
        ['2009-11-01T02:30:00Z', '2009-11-01T02:40:00Z', '2009-11-01T02:31:00Z', '2009-11-01T02:44:59Z'],
      ],
      ['America/St_Johns', ['2009-11-01T02:44:00Z', '2009-11-01T02:30:00Z']],
      [
        'Pacific/Kiritimati',
        ['1975-06-10T10:30:00Z', '1975-06-10T10:44:59Z', '1975-06-10T10:39:00Z', '1975-06-10T10:41:00Z'],
      ],
    ];
    for (const [timeZone, instants] of cases)
      for (const s of instants) {
        const at = new Date(s);
        expect(localDay(at, timeZone), `${timeZone} ${s}`).toBe(intl(at, timeZone));
      }
    expect(localDay(new Date('2009-11-01T02:40:00Z'), 'America/St_Johns')).toBe('2009-10-31');
    expect(localDay(new Date('2009-11-01T02:30:00Z'), 'America/St_Johns')).toBe('2009-11-01');
  });

  it('keeps zones apart: one instant, two days', () => {
    const at = new Date('2020-10-23T23:30:00Z');
    expect(localDay(at, 'UTC')).toBe('2020-10-23');
    expect(localDay(at, 'Africa/Tripoli')).toBe('2020-10-24');
    expect(localDay(at, 'UTC')).toBe('2020-10-23');
  });
});
