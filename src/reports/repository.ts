// Report queries: one row with its attachments, and keyset-paginated lists for observers and the commission.
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import { Invalid } from '../errors.ts';
import type { ReportListQuery } from './schema.ts';
import { likeLiteral } from '../db/like.ts';

const include = { attachments: { orderBy: [{ createdAt: 'asc' as const }, { originalName: 'asc' as const }] } };

export async function getReportRow(db: Db, id: string) {
  return db.report.findUnique({ where: { id }, include });
}
export type ReportRow = NonNullable<Awaited<ReturnType<typeof getReportRow>>>;

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Invalid([{ field: 'cursor', reason: 'not a cursor from this API' }], 400);
  return { at, id };
}

/** `onlyObserverId` is set by the caller's policy: observers only ever list their own reports. */
export async function listReports(db: Db, q: ReportListQuery, onlyObserverId: string | null) {
  const where: Prisma.ReportWhereInput[] = [];
  if (onlyObserverId) where.push({ observerId: onlyObserverId });
  else if (q.observerId) where.push({ observerId: q.observerId });
  if (q.from) where.push({ observedAt: { gte: new Date(q.from) } });
  if (q.to) where.push({ observedAt: { lt: new Date(q.to) } });
  if (q.status) where.push({ status: q.status });
  if (q.place) {
    where.push({ OR: [
      { placeName: { contains: likeLiteral(q.place), mode: 'insensitive' } },
      { resolvedPlace: { contains: likeLiteral(q.place), mode: 'insensitive' } },
    ] });
  }
  if (q.bbox) {
    const [minLon, minLat, maxLon, maxLat] = q.bbox.split(',').map(Number);
    where.push({ OR: [
      { lat: { gte: minLat, lte: maxLat }, lon: { gte: minLon, lte: maxLon } },
      { lat: null, resolvedLat: { gte: minLat, lte: maxLat }, resolvedLon: { gte: minLon, lte: maxLon } },
    ] });
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push({ OR: [{ receivedAt: { lt: c.at } }, { receivedAt: c.at, id: { lt: c.id } }] });
  }
  const rows = await db.report.findMany({
    where: { AND: where },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    include,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: page, nextCursor: rows.length > q.limit && last ? encodeCursor(last.receivedAt, last.id) : null };
}
