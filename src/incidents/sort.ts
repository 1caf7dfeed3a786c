// Queue sort orders and their keyset cursors. Each order is (key, id) in one direction, so a page
// continues with a row comparison on an index instead of an OFFSET that rereads every earlier row.
import type { Prisma } from '../db/client.ts';
import { Invalid } from '../errors.ts';

export const SORTS = ['severity', '-severity', 'age', '-age', 'reports', '-reports'] as const;
export type Sort = (typeof SORTS)[number];

type Column = 'severity' | 'firstObservedAt' | 'reportCount';
interface Order {
  column: Column;
  dir: 'asc' | 'desc';
}

/** `age` ascending is youngest first, i.e. the latest start first; `-age` puts the oldest first. */
export function orderOf(sort: Sort): Order {
  const desc = sort.startsWith('-');
  switch (sort.replace('-', '')) {
    case 'severity':
      return { column: 'severity', dir: desc ? 'desc' : 'asc' };
    case 'reports':
      return { column: 'reportCount', dir: desc ? 'desc' : 'asc' };
    default:
      return { column: 'firstObservedAt', dir: desc ? 'asc' : 'desc' };
  }
}

export function orderBy(sort: Sort): Prisma.IncidentOrderByWithRelationInput[] {
  const o = orderOf(sort);
  return [{ [o.column]: o.dir }, { id: o.dir }];
}

interface CursorRow {
  id: string;
  severity: number;
  firstObservedAt: Date;
  reportCount: number;
}

export function encodeCursor(sort: Sort, row: CursorRow): string {
  const { column } = orderOf(sort);
  const key = column === 'firstObservedAt' ? row.firstObservedAt.toISOString() : row[column];
  return Buffer.from(JSON.stringify([sort, key, row.id])).toString('base64url');
}

/** Rows after the cursor's row in this order. A cursor from another sort order is refused. */
export function afterCursor(sort: Sort, cursor: string): Prisma.IncidentWhereInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const bad = () => new Invalid([{ field: 'cursor', reason: 'not a cursor from this query (sort changed?)' }], 400);
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== sort ||
    typeof parsed[2] !== 'string' ||
    !/^[0-9a-f-]{36}$/.test(parsed[2])
  )
    throw bad();
  const { column, dir } = orderOf(sort);
  const raw = parsed[1] as unknown;
  const key = column === 'firstObservedAt' ? new Date(String(raw)) : raw;
  if (column === 'firstObservedAt' ? Number.isNaN((key as Date).getTime()) : typeof key !== 'number') throw bad();
  const cmp = dir === 'desc' ? 'lt' : 'gt';
  return { OR: [{ [column]: { [cmp]: key } }, { [column]: key, id: { [cmp]: parsed[2] } }] };
}
