// Keyset pages, newest first, over (an instant, id): a page is read with one row more than it shows, and the cursor of
// the next page names its last row. Reports, webhook deliveries and inbound SMS are listed this way. A cursor also
// names the order it was read in: a position in one order means nothing in another (rows would be skipped or shown
// twice), so a cursor of another order is refused, not followed.
import { Invalid } from '../errors.ts';

export function encodeCursor(order: string, at: Date, id: string): string {
  return Buffer.from(`${order}|${at.toISOString()}|${id}`).toString('base64url');
}

/** The position a cursor of `order` names; an Invalid on `cursor` for any other. */
export function decodeCursor(cursor: string, order: string): { at: Date; id: string } {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [of, iso, id] = parts;
  const at = new Date(iso ?? '');
  if (parts.length !== 3 || !id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new Invalid([{ field: 'cursor', reason: 'not a cursor from this API' }], 400);
  if (of !== order)
    throw new Invalid(
      [{ field: 'cursor', reason: 'a cursor of another sort order: start again from the first page' }],
      400,
    );
  return { at, id };
}

/** The page of `rows` (read with `limit + 1` in `order`), and the cursor of the next page when there is one. */
export function keysetPage<T extends { id: string }>(
  rows: T[],
  limit: number,
  order: string,
  instantOf: (row: T) => Date,
) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(order, instantOf(last), last.id) : null };
}
