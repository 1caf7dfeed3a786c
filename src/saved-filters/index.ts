// Saved filters: a commission member names the filters of the incident queue or of the reports table, and opens them
// again with one click, on any browser. Each account sees and changes only its own (another's id is reported as
// missing); creations, changes and deletions are audited in the transaction of the change, as every commission action.
import { appendAudit, type AuditAction, type Clock } from '../audit/index.ts';
import type { Db, Tx } from '../db/client.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import type { AuthUser } from '../users/index.ts';
import {
  countOwned,
  deleteSavedFilter as deleteRow,
  findNamed,
  findOwned,
  insertSavedFilter,
  listOwned,
  lockOwner,
  updateSavedFilter as updateRow,
  type SavedFilterRow,
} from './repository.ts';
import {
  LIST_QUERIES,
  MAX_SAVED_FILTERS,
  type SavedFilterInput,
  type SavedFilterPatch,
  type SavedFilterViewName,
} from './schema.ts';

export { MAX_SAVED_FILTERS } from './schema.ts';

export interface SavedFilterDeps {
  db: Db;
  clock: Clock;
}
type Owner = Pick<AuthUser, 'id' | 'username'>;

const view = (r: SavedFilterRow) => ({
  id: r.id,
  view: r.view,
  name: r.name,
  query: r.query as Record<string, string>,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
const facts = (r: SavedFilterRow) => ({ view: r.view, name: r.name, query: r.query });

/**
 * The values as the list endpoint of `v` would take them (an empty value means "not given" there, so it is not kept),
 * or an Invalid naming each parameter as `query.<name>`.
 */
export function checkedQuery(v: SavedFilterViewName, query: Record<string, string>): Record<string, string> {
  const given = Object.fromEntries(Object.entries(query).filter(([, value]) => value.trim() !== ''));
  const parsed = LIST_QUERIES[v].safeParse(given);
  if (parsed.success) return given;
  throw new Invalid(
    parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => ({ field: `query.${key}`, reason: `not a parameter of the ${v} list` }))
        : [{ field: ['query', ...i.path].join('.'), reason: i.message }],
    ),
  );
}

async function assertNameFree(tx: Tx, ownerId: string, v: SavedFilterViewName, name: string, exceptId?: string) {
  if (await findNamed(tx, ownerId, v, name, exceptId))
    throw new Conflict(`you already have a saved filter named "${name}" here`, { reason: 'name_taken', field: 'name' });
}

function audit(tx: Tx, deps: SavedFilterDeps, owner: Owner, action: AuditAction, id: string, change: object) {
  return appendAudit(
    tx,
    { actorId: owner.id, actorName: owner.username, action, entityType: 'saved_filter', entityId: id, ...change },
    deps.clock,
  );
}

export async function listSavedFilters(db: Db, owner: Owner, v?: SavedFilterViewName) {
  return (await listOwned(db, owner.id, v)).map(view);
}

export async function createSavedFilter(deps: SavedFilterDeps, owner: Owner, input: SavedFilterInput) {
  const query = checkedQuery(input.view, input.query);
  return deps.db.$transaction(async (tx) => {
    await lockOwner(tx, owner.id);
    if ((await countOwned(tx, owner.id)) >= MAX_SAVED_FILTERS)
      throw new Conflict(
        `you have ${MAX_SAVED_FILTERS} saved filters, the most one account may keep: delete one first`,
        {
          reason: 'limit_reached',
          limit: MAX_SAVED_FILTERS,
        },
      );
    await assertNameFree(tx, owner.id, input.view, input.name);
    const row = await insertSavedFilter(tx, { ownerId: owner.id, view: input.view, name: input.name, query });
    await audit(tx, deps, owner, 'saved_filter_created', row.id, { after: facts(row) });
    return view(row);
  });
}

export async function updateSavedFilter(deps: SavedFilterDeps, owner: Owner, id: string, patch: SavedFilterPatch) {
  return deps.db.$transaction(async (tx) => {
    await lockOwner(tx, owner.id);
    const before = await findOwned(tx, owner.id, id);
    if (!before) throw new NotFound('saved filter');
    const query = patch.query === undefined ? undefined : checkedQuery(before.view, patch.query);
    if (patch.name !== undefined) await assertNameFree(tx, owner.id, before.view, patch.name, id);
    const after = await updateRow(tx, owner.id, id, { name: patch.name, query });
    await audit(tx, deps, owner, 'saved_filter_updated', id, { before: facts(before), after: facts(after) });
    return view(after);
  });
}

export async function deleteSavedFilter(deps: SavedFilterDeps, owner: Owner, id: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    // Serialised with the owner's other changes, so of two deletions racing the second finds nothing (a 404).
    await lockOwner(tx, owner.id);
    const before = await findOwned(tx, owner.id, id);
    if (!before || !(await deleteRow(tx, owner.id, id))) throw new NotFound('saved filter');
    await audit(tx, deps, owner, 'saved_filter_deleted', id, { before: facts(before) });
  });
}
