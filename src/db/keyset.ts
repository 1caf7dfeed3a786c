// Keyset pages, newest first, over (an instant, id): a page is read with one row more than it shows, and the cursor of
// the next page names its last row. Reports, webhook deliveries and inbound SMS are listed this way.
import { Invalid } from '../errors.ts';

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id))
    throw new Invalid([{ field: 'cursor', reason: 'not a cursor from this API' }], 400);
  return { at, id };
}

/** The page of `rows` (read with `limit + 1`), and the cursor of the next page when there is one. */
export function keysetPage<T extends { id: string }>(rows: T[], limit: number, instantOf: (row: T) => Date) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(instantOf(last), last.id) : null };
}
