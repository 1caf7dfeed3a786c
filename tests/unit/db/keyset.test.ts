// Keyset cursors name their order: one read in another order is refused, not followed from the wrong place.
import { describe, expect, it } from 'vitest';
import { Invalid } from '../../../src/errors.ts';
import { decodeCursor, keysetPage } from '../../../src/db/keyset.ts';

const rows = ['1', '2', '3'].map((n) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  at: new Date(`2020-11-1${n}T00:00:00Z`),
}));

describe('keyset cursors', () => {
  it('the next page starts after the last row shown, in the order the cursor was read in', () => {
    const { page, nextCursor } = keysetPage(rows, 2, '-observed', (r) => r.at);
    expect(page).toEqual(rows.slice(0, 2));
    expect(decodeCursor(nextCursor!, '-observed')).toEqual({ at: rows[1]!.at, id: rows[1]!.id });
    expect(keysetPage(rows, 3, '-observed', (r) => r.at).nextCursor).toBeNull();
  });

  it('refuses a cursor of another order, and one this API did not make, naming the cursor', () => {
    const { nextCursor } = keysetPage(rows, 2, '-received', (r) => r.at);
    for (const [cursor, reason] of [
      [nextCursor!, /another sort order/],
      [Buffer.from(`${rows[0]!.at.toISOString()}|${rows[0]!.id}`).toString('base64url'), /not a cursor/],
      ['garbage', /not a cursor/],
    ] as const) {
      const err = (() => {
        try {
          decodeCursor(cursor, '-observed');
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(Invalid);
      expect((err as Invalid).issues).toEqual([{ field: 'cursor', reason: expect.stringMatching(reason) }]);
    }
  });
});
