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
