// The SavedFilter table's one data-access module. Every statement names the owner: an account only ever reads or
// changes its own filters.
import type { Db, Tx } from '../db/client.ts';
import type { SavedFilterViewName } from './schema.ts';

const select = { id: true, view: true, name: true, query: true, createdAt: true, updatedAt: true } as const;

export async function listOwned(db: Db, ownerId: string, view?: SavedFilterViewName) {
  return db.savedFilter.findMany({
    where: { ownerId, ...(view ? { view } : {}) },
    orderBy: [{ view: 'asc' }, { name: 'asc' }, { id: 'asc' }],
    select,
  });
}
export type SavedFilterRow = Awaited<ReturnType<typeof listOwned>>[number];

/**
 * Until the transaction ends, the owner's other saves, changes and deletions wait: the count and the name checks below
 * stay true, and a filter read in the transaction is still there when it is changed or deleted.
 */
export async function lockOwner(tx: Tx, ownerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`saved-filters:${ownerId}`}, 0))`;
}

export async function countOwned(tx: Tx, ownerId: string): Promise<number> {
  return tx.savedFilter.count({ where: { ownerId } });
}

/** The owner's filter of that view by that name, other than `exceptId`. */
export async function findNamed(tx: Tx, ownerId: string, view: SavedFilterViewName, name: string, exceptId?: string) {
  return tx.savedFilter.findFirst({
    where: { ownerId, view, name, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
}

export async function findOwned(tx: Tx, ownerId: string, id: string) {
  return tx.savedFilter.findFirst({ where: { id, ownerId }, select });
}

export async function insertSavedFilter(
  tx: Tx,
  data: { ownerId: string; view: SavedFilterViewName; name: string; query: Record<string, string> },
) {
  return tx.savedFilter.create({ data, select });
}

export async function updateSavedFilter(
  tx: Tx,
  ownerId: string,
  id: string,
  data: { name?: string; query?: Record<string, string> },
) {
  return tx.savedFilter.update({ where: { id, ownerId }, data, select });
}

/** Whether the owner's filter was there to delete. */
export async function deleteSavedFilter(tx: Tx, ownerId: string, id: string): Promise<boolean> {
  return (await tx.savedFilter.deleteMany({ where: { id, ownerId } })).count > 0;
}
