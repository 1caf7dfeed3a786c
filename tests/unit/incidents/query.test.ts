// Pure parts of the queue: filter parsing, date edges in the agreement's zone, sort orders and cursors.
import { describe, expect, it } from 'vitest';
import { Invalid } from '../../../src/errors.ts';
import { DayOrInstant, incidentWhere, QueueFilters, toInstant } from '../../../src/incidents/filters.ts';
import { afterCursor, encodeCursor, orderBy, orderOf } from '../../../src/incidents/sort.ts';

const row = {
  id: '0b0e4c2a-8d5f-4c47-9a53-5b1f0f1f7a10',
  severity: 4,
  firstObservedAt: new Date('2020-11-14T03:40:00Z'),
  reportCount: 7,
};

describe('toInstant', () => {
  it('reads a plain date as a whole day in the given zone, `to` including that day', () => {
    expect(toInstant('2020-11-14', 'from', 'Africa/Tripoli').toISOString()).toBe('2020-11-13T22:00:00.000Z');
    expect(toInstant('2020-11-14', 'to', 'Africa/Tripoli').toISOString()).toBe('2020-11-14T22:00:00.000Z');
    expect(toInstant('2020-11-14T05:00:00+02:00', 'to', 'Africa/Tripoli').toISOString()).toBe(
      '2020-11-14T03:00:00.000Z',
    );
  });
});

describe('DayOrInstant', () => {
  const reasonOf = (v: string) => DayOrInstant.safeParse(v).error?.issues.map((i) => i.message);
  it.each(['2020-11-14', '2020-02-29', '2020-11-14T10:30Z', '2020-11-14T10:30:00.123+02:00', '2020-11-14T10:30+0200'])(
    'takes %s',
    (v) => expect(reasonOf(v)).toBeUndefined(),
  );
  it.each([
    ['2020-02-30', /not a calendar date/],
    ['2021-02-29', /not a calendar date/],
    ['2020-11-31', /not a calendar date/],
    ['2020-11-14T24:30Z', /not a calendar date or time/],
    ['2020-11-14T10:30', /offset/],
    ['2020-11-14T10:30:00.5', /offset/],
    ['foo T 2020', /YYYY-MM-DD/],
    ['2020-11-14 10:30Z', /YYYY-MM-DD/],
    ['Sat Nov 14 2020', /YYYY-MM-DD/],
    ['0000-01-01', /1900/],
  ])('refuses %s with one reason', (v, reason) => {
    expect(reasonOf(v)).toEqual([expect.stringMatching(reason)]);
  });
  it('reads an instant at its own offset, whatever the zone given', () => {
    expect(toInstant('2020-11-14T10:30+0200', 'from', 'America/New_York').toISOString()).toBe(
      '2020-11-14T08:30:00.000Z',
    );
  });
});

describe('QueueFilters', () => {
  it('splits comma-separated states and refuses unknown ones', () => {
    expect(QueueFilters.parse({ state: 'new,verified' }).state).toEqual(['new', 'verified']);
    expect(QueueFilters.safeParse({ state: 'new,open' }).success).toBe(false);
  });

  it('always leaves merged-away incidents and those emptied by erasures out, and adds state only when asked', () => {
    const always = [{ mergedIntoId: null }, { reportCount: { gt: 0 } }];
    expect(incidentWhere({}, 'UTC')).toEqual({ AND: always });
    expect(incidentWhere({ state: ['new'], party: 'GNA' }, 'UTC')).toEqual({
      AND: [...always, { parties: { has: 'GNA' } }, { state: { in: ['new'] } }],
    });
  });
});

describe('sort orders and cursors', () => {
  it('maps each sort to a column and direction, with id as the tie-break in the same direction', () => {
    expect(orderOf('-severity')).toEqual({ column: 'severity', dir: 'desc' });
    expect(orderOf('age')).toEqual({ column: 'firstObservedAt', dir: 'desc' }); // youngest first
    expect(orderOf('-age')).toEqual({ column: 'firstObservedAt', dir: 'asc' });
    expect(orderBy('reports')).toEqual([{ reportCount: 'asc' }, { id: 'asc' }]);
  });

  it('round-trips a cursor into the row comparison after that row', () => {
    expect(afterCursor('-severity', encodeCursor('-severity', row))).toEqual({
      OR: [{ severity: { lt: 4 } }, { severity: 4, id: { lt: row.id } }],
    });
    expect(afterCursor('-age', encodeCursor('-age', row))).toEqual({
      OR: [
        { firstObservedAt: { gt: row.firstObservedAt } },
        { firstObservedAt: row.firstObservedAt, id: { gt: row.id } },
      ],
    });
  });

  it('refuses a cursor from another sort order or a forged one', () => {
    expect(() => afterCursor('reports', encodeCursor('-severity', row))).toThrow(Invalid);
    expect(() => afterCursor('reports', 'not-base64-json')).toThrow(Invalid);
    expect(() =>
      afterCursor('reports', Buffer.from(JSON.stringify(['reports', 'x', row.id])).toString('base64url')),
    ).toThrow(Invalid);
  });
});
