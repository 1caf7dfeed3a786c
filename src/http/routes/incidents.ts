// HTTP adapter for the commission's review queue and incident actions. Reading needs commission or admin;
// every change needs the commission role. Observers get 403 on all of it.
import express, { Router, type Request } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { canReadIncidents, canReviewIncidents } from '../../auth/policies.ts';
import {
  addComment, AGREEMENT_TERM_IDS, BulkInput, BulkResult, bulkUpdate, CommentInput, getIncidentDetail, getIncidentReports, IncidentDetail,
  IncidentPage, IncidentPatch, IncidentSummary, listAssignees, listQueue, mapFeatures, MembersPage, MembersQuery, MergeInput, mergeIncidents,
  parseBody, parseQuery, QueueFilters, QueueQuery,
  SplitInput, splitReports, updateIncident, type ReviewDeps,
} from '../../review/index.ts';
import { parseUuidParam } from './reports.ts';

const tags = ['incidents'];
const idParam = { params: z.object({ id: z.string().uuid() }) };
const jsonBody = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } } } });
const ok = (description: string, schema?: z.ZodType) => ({ description, ...(schema ? { content: { 'application/json': { schema } } } : {}) });

registry.registerPath({ method: 'get', path: '/api/incidents', tags, summary: 'Review queue: filtered, sorted, keyset-paginated, with counts per state', security,
  request: { query: QueueQuery }, responses: { 200: ok('A page', IncidentPage), ...errorResponses(400, 401, 403) } });
registry.registerPath({ method: 'get', path: '/api/incidents/map', tags, summary: 'Incident points as GeoJSON (same filters; capped at 20 000)', security,
  request: { query: QueueFilters }, responses: { 200: ok('GeoJSON FeatureCollection'), ...errorResponses(400, 401, 403) } });
registry.registerPath({ method: 'get', path: '/api/incidents/assignees', tags, summary: 'Commission members incidents can be assigned to', security,
  responses: { 200: ok('Users'), ...errorResponses(401, 403) } });
registry.registerPath({ method: 'get', path: '/api/incidents/{id}', tags, summary: 'One incident with the first page of its reports, comments and history', security,
  request: idParam, responses: { 200: ok('Incident', IncidentDetail), ...errorResponses(401, 403, 404) } });
registry.registerPath({ method: 'get', path: '/api/incidents/{id}/reports', tags, summary: 'The member reports of an incident, a page at a time in observed order', security,
  request: { ...idParam, query: MembersQuery }, responses: { 200: ok('A page', MembersPage), ...errorResponses(400, 401, 403, 404) } });
registry.registerPath({ method: 'patch', path: '/api/incidents/{id}', tags, summary: 'Change state, assign, or correct terms/stance (commission)', security,
  request: { ...idParam, ...jsonBody(IncidentPatch) }, responses: { 200: ok('Updated', IncidentSummary), ...errorResponses(401, 403, 404, 409, 422) } });
registry.registerPath({ method: 'post', path: '/api/incidents/{id}/comments', tags, summary: 'Comment on an incident (commission)', security,
  request: { ...idParam, ...jsonBody(CommentInput) }, responses: { 201: ok('Comment'), ...errorResponses(401, 403, 404, 409, 422) } });
registry.registerPath({ method: 'post', path: '/api/incidents/{id}/merge', tags, summary: 'Merge another incident into this one (commission)', security,
  request: { ...idParam, ...jsonBody(MergeInput) }, responses: { 200: ok('The surviving incident', IncidentSummary), ...errorResponses(401, 403, 404, 409, 422) } });
registry.registerPath({ method: 'post', path: '/api/incidents/{id}/split', tags, summary: 'Split reports out into a new incident (commission)', security,
  request: { ...idParam, ...jsonBody(SplitInput) },
  responses: { 201: ok('The new incident', IncidentSummary), ...errorResponses(401, 403, 404, 409, 422) } });
registry.registerPath({ method: 'post', path: '/api/incidents/bulk', tags, summary: 'Change state or assignee of many incidents (commission)', security,
  request: jsonBody(BulkInput), responses: { 200: ok('Per-incident outcome', BulkResult), ...errorResponses(401, 403, 422) } });

export function incidentsRouter(deps: AppDeps): Router {
  const r = Router();
  const review: ReviewDeps = { db: deps.db, clock: deps.clock, termIds: AGREEMENT_TERM_IDS };
  const tz = deps.config.DIGEST_TZ;
  const json = express.json({ limit: '64kb' });
  const write = [allow(canReviewIncidents), json];
  const actor = (req: Request) => requireUser(req);

  r.use(allow(canReadIncidents));

  r.get('/', async (req, res) => { res.json(await listQueue(deps.db, parseQuery(QueueQuery, req.query), tz)); });
  r.get('/map', async (req, res) => { res.json(await mapFeatures(deps.db, parseQuery(QueueFilters.strict(), req.query), tz)); });
  r.get('/assignees', async (_req, res) => { res.json(await listAssignees(deps.db)); });
  r.post('/bulk', ...write, async (req, res) => { res.json(await bulkUpdate(review, actor(req), parseBody(BulkInput, req.body))); });

  r.get('/:id', async (req, res) => { res.json(await getIncidentDetail(deps.db, parseUuidParam(req.params.id))); });
  r.get('/:id/reports', async (req, res) => {
    res.json(await getIncidentReports(deps.db, parseUuidParam(req.params.id), parseQuery(MembersQuery, req.query)));
  });
  r.patch('/:id', ...write, async (req, res) => {
    res.json(await updateIncident(review, actor(req), parseUuidParam(req.params.id), parseBody(IncidentPatch, req.body)));
  });
  r.post('/:id/comments', ...write, async (req, res) => {
    const { body } = parseBody(CommentInput, req.body);
    res.status(201).json(await addComment(review, actor(req), parseUuidParam(req.params.id), body));
  });
  r.post('/:id/merge', ...write, async (req, res) => {
    const { otherId } = parseBody(MergeInput, req.body);
    res.json(await mergeIncidents(review, actor(req), parseUuidParam(req.params.id), otherId));
  });
  r.post('/:id/split', ...write, async (req, res) => {
    const { reportIds } = parseBody(SplitInput, req.body);
    const created = await splitReports(review, actor(req), parseUuidParam(req.params.id), reportIds);
    res.status(201).location(`/api/incidents/${created.id}`).json(created);
  });
  return r;
}
