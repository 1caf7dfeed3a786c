// HTTP adapter for the saved-filters domain (src/saved-filters): a commission member's named filters of the queue and
// the reports table, listed, saved, renamed or changed, and deleted; each account's own only.
import express, { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canKeepSavedFilters } from '../../auth/policies.ts';
import {
  createSavedFilter,
  deleteSavedFilter,
  listSavedFilters,
  MAX_SAVED_FILTERS,
  updateSavedFilter,
} from '../../saved-filters/index.ts';
import { SavedFilter, SavedFilterInput, SavedFilterPatch, SavedFilterQuery } from '../../saved-filters/schema.ts';

const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const tags = ['saved filters'];
const conflict = {
  409: {
    ...errorResponses(409)[409]!,
    description: `A filter of this view already has the name (reason name_taken), or the account keeps ${MAX_SAVED_FILTERS} filters already (reason limit_reached)`,
  },
};
registry.registerPath({
  method: 'get',
  path: '/api/saved-filters',
  tags,
  summary: 'My saved filters (commission, admin), by view and name',
  security,
  request: { query: SavedFilterQuery },
  responses: {
    200: json('Saved filters', z.object({ items: z.array(SavedFilter) })),
    ...errorResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/saved-filters',
  tags,
  summary: `Save a filter of the queue or the reports table under a name (at most ${MAX_SAVED_FILTERS} per account; audited)`,
  security,
  request: { body: { content: { 'application/json': { schema: SavedFilterInput } } } },
  responses: { 201: json('Saved', SavedFilter), ...errorResponses(401, 403, 422), ...conflict },
});
registry.registerPath({
  method: 'patch',
  path: '/api/saved-filters/{id}',
  tags,
  summary: 'Rename a saved filter or change its query (audited); another account’s filter is not found',
  security,
  request: { params: IdParams, body: { content: { 'application/json': { schema: SavedFilterPatch } } } },
  responses: { 200: json('Changed', SavedFilter), ...errorResponses(401, 403, 404, 422), ...conflict },
});
registry.registerPath({
  method: 'delete',
  path: '/api/saved-filters/{id}',
  tags,
  summary: 'Delete a saved filter (audited); another account’s filter is not found',
  security,
  request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
});

const List = validate({ query: SavedFilterQuery });
const Create = validate({ body: SavedFilterInput });
const Patch = validate({ params: IdParams, body: SavedFilterPatch }, { resource: 'saved filter' });
const Delete = validate({ params: IdParams }, { resource: 'saved filter' });

export function savedFiltersRouter(deps: AppDeps): Router {
  const r = Router();
  const body = express.json({ limit: '16kb' });
  const sf = { db: deps.db, clock: deps.clock };
  r.use(allow(canKeepSavedFilters));

  r.get('/', List, async (req, res) => {
    res.json({ items: await listSavedFilters(deps.db, requireUser(req), List.input(req).query.view) });
  });
  r.post('/', body, Create, async (req, res) => {
    res.status(201).json(await createSavedFilter(sf, requireUser(req), Create.input(req).body));
  });
  r.patch('/:id', body, Patch, async (req, res) => {
    const { params, body: patch } = Patch.input(req);
    res.json(await updateSavedFilter(sf, requireUser(req), params.id, patch));
  });
  r.delete('/:id', Delete, async (req, res) => {
    await deleteSavedFilter(sf, requireUser(req), Delete.input(req).params.id);
    res.status(204).end();
  });
  return r;
}
