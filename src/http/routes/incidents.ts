// HTTP adapter for the incidents domain (src/incidents): the commission's review queue and incident actions. Reading
// needs commission or admin; every change needs the commission role. Observers get 403 on all of it.
import express, { Router, type Request } from 'express';
import { observerKeyFor } from '../../users/observer-identity.ts';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canDownloadCustody, canReadIncidents, canReviewIncidents } from '../../auth/policies.ts';
import { startCustodyPackage } from '../../custody/index.ts';
import { PhotoMatches, photoMatchesOfIncident } from '../../attachments/matches.ts';
import { loadAgreement, termIdsOf } from '../../agreements/index.ts';
import {
  addComment,
  BulkInput,
  BulkResult,
  bulkUpdate,
  CommentInput,
  getIncidentDetail,
  getIncidentReports,
  IncidentDetail,
  IncidentPage,
  IncidentPatch,
  IncidentSummary,
  listAssignees,
  listQueue,
  mapFeatures,
  MapFilters,
  MembersPage,
  MembersQuery,
  MergeInput,
  mergeIncidents,
  resolveIncidentId,
  QueueQuery,
  SplitInput,
  splitReports,
  updateIncident,
  type ReviewDeps,
} from '../../incidents/index.ts';

const tags = ['incidents'];
const idParam = { params: IdParams };
const jsonBody = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } } } });
const ok = (description: string, schema?: z.ZodType) => ({
  description,
  ...(schema ? { content: { 'application/json': { schema } } } : {}),
});

registry.registerPath({
  method: 'get',
  path: '/api/incidents',
  tags,
  summary: 'Review queue: filtered, sorted, keyset-paginated, with counts per state',
  security,
  request: { query: QueueQuery },
  responses: { 200: ok('A page', IncidentPage), ...errorResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/events',
  tags,
  summary:
    'Live updates of the queue, an open incident page and the map as server-sent events: an `incident` event (JSON ' +
    'array of {incidentId, kind, state, severity, assigneeId, mergedIntoId, actorId}; actorId null for the workers) ' +
    'each time incidents are opened or change; a comment line every ' +
    'LIVE_HEARTBEAT_MS; ended after LIVE_STREAM_MAX_MS (credentials are checked again on reconnection). Never carries report text. Reconnect and refresh after a drop: missed events are not replayed.',
  security,
  responses: {
    200: { description: 'The stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses(401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/map',
  tags,
  summary: 'Incident points as GeoJSON (same filters, and `ids`; capped at 20 000)',
  security,
  request: { query: MapFilters },
  responses: { 200: ok('GeoJSON FeatureCollection'), ...errorResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/assignees',
  tags,
  summary: 'Commission members incidents can be assigned to',
  security,
  responses: { 200: ok('Users'), ...errorResponses(401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/{id}',
  tags,
  summary: 'One incident with the first page of its reports, comments and history',
  security,
  request: idParam,
  responses: { 200: ok('Incident', IncidentDetail), ...errorResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/{id}/reports',
  tags,
  summary: 'The member reports of an incident, a page at a time in observed order',
  security,
  request: { ...idParam, query: MembersQuery },
  responses: { 200: ok('A page', MembersPage), ...errorResponses(400, 401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/{id}/photo-matches',
  tags,
  summary:
    'Near-identical photos: each photo of the incident against those of reports observed within a week of it, ' +
    'pairs within the dedup threshold with their hamming distance and EXIF',
  security,
  request: idParam,
  responses: { 200: ok('Pairs, nearest first', PhotoMatches), ...errorResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/api/incidents/{id}/custody',
  tags,
  summary:
    'Custody package (zip): original files byte for byte, manifest.json (SHA-256, receipt times, EXIF, observers ' +
    'pseudonymised unless the requester is an admin, every audit row touching the incident, the chain anchor) and ' +
    'signature.json (Ed25519). Verify offline with npm run custody:verify. Every download is audited.',
  security,
  request: idParam,
  responses: {
    200: {
      description: 'The package',
      content: { 'application/zip': { schema: z.string().meta({ format: 'binary' }) } },
    },
    ...errorResponses(401, 403, 404),
  },
});
registry.registerPath({
  method: 'patch',
  path: '/api/incidents/{id}',
  tags,
  summary: 'Change state, assign, or correct terms/stance (commission)',
  security,
  request: { ...idParam, ...jsonBody(IncidentPatch) },
  responses: { 200: ok('Updated', IncidentSummary), ...errorResponses(401, 403, 404, 409, 422) },
});
registry.registerPath({
  method: 'post',
  path: '/api/incidents/{id}/comments',
  tags,
  summary: 'Comment on an incident (commission)',
  security,
  request: { ...idParam, ...jsonBody(CommentInput) },
  responses: { 201: ok('Comment'), ...errorResponses(401, 403, 404, 409, 422) },
});
registry.registerPath({
  method: 'post',
  path: '/api/incidents/{id}/merge',
  tags,
  summary: 'Merge another incident into this one (commission)',
  security,
  request: { ...idParam, ...jsonBody(MergeInput) },
  responses: { 200: ok('The surviving incident', IncidentSummary), ...errorResponses(401, 403, 404, 409, 422) },
});
registry.registerPath({
  method: 'post',
  path: '/api/incidents/{id}/split',
  tags,
  summary: 'Split reports out into a new incident (commission)',
  security,
  request: { ...idParam, ...jsonBody(SplitInput) },
  responses: { 201: ok('The new incident', IncidentSummary), ...errorResponses(401, 403, 404, 409, 422) },
});
registry.registerPath({
  method: 'post',
  path: '/api/incidents/bulk',
  tags,
  summary: 'Change state or assignee of many incidents (commission)',
  security,
  request: jsonBody(BulkInput),
  responses: { 200: ok('Per-incident outcome', BulkResult), ...errorResponses(401, 403, 422) },
});

const QueuePage = validate({ query: QueueQuery });
const MapQuery = validate({ query: MapFilters.strict() });
const Bulk = validate({ body: BulkInput });
const One = validate({ params: IdParams });
const Members = validate({ params: IdParams, query: MembersQuery });
const Patch = validate({ params: IdParams, body: IncidentPatch });
const Comment = validate({ params: IdParams, body: CommentInput });
const Merge = validate({ params: IdParams, body: MergeInput });
const Split = validate({ params: IdParams, body: SplitInput });

export function incidentsRouter(deps: AppDeps): Router {
  const r = Router();
  const review: ReviewDeps = {
    db: deps.db,
    clock: deps.clock,
    termIds: termIdsOf(loadAgreement(deps.config.AGREEMENT_ID)),
    events: deps.incidentEvents,
  };
  const custody = { db: deps.db, clock: deps.clock, files: deps.files, signer: deps.custodySigner };
  const tz = deps.config.DIGEST_TZ;
  const json = express.json({ limit: '64kb' });
  const write = [allow(canReviewIncidents), json];
  const actor = (req: Request) => requireUser(req);
  const reading = (req: Request) => ({ reader: requireUser(req), pseudonym: deps.custodySigner.pseudonym });

  r.use(allow(canReadIncidents));

  r.get('/', QueuePage, async (req, res) => {
    res.json(await listQueue(deps.db, QueuePage.input(req).query, tz));
  });
  r.get('/map', MapQuery, async (req, res) => {
    res.json(await mapFeatures(deps.db, MapQuery.input(req).query, tz));
  });
  r.get('/events', async (req, res) => {
    await deps.liveEvents.ready();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // The browser waits this long before reconnecting after a drop.
    res.write('retry: 3000\n: live\n\n');
    const observerKey = observerKeyFor(requireUser(req), deps.custodySigner.pseudonym);
    const unsubscribe = deps.liveEvents.subscribe((events) => {
      const shown = events.map(({ actorIsObserver, ...e }) => ({
        ...e,
        actorId: actorIsObserver && e.actorId ? observerKey(e.actorId) : e.actorId,
      }));
      res.write(`event: incident\ndata: ${JSON.stringify(shown)}\n\n`);
    });
    // Idle streams are cut by the server (UPLOAD_IDLE_TIMEOUT_MS) and by proxies: a comment keeps this one open.
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.config.LIVE_HEARTBEAT_MS);
    // The credentials were checked when the stream opened: ending it now and then has the browser show them again.
    const expiry = setTimeout(() => res.end(), deps.config.LIVE_STREAM_MAX_MS);
    const end = () => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unsubscribe();
    };
    req.on('close', end);
    res.on('error', end);
  });
  r.get('/assignees', async (_req, res) => {
    res.json(await listAssignees(deps.db));
  });
  r.post('/bulk', ...write, Bulk, async (req, res) => {
    res.json(await bulkUpdate(review, actor(req), Bulk.input(req).body));
  });

  r.get('/:id', One, async (req, res) => {
    res.json(await getIncidentDetail(deps.db, reading(req), One.input(req).params.id));
  });
  r.get('/:id/reports', Members, async (req, res) => {
    const { params, query } = Members.input(req);
    res.json(await getIncidentReports(deps.db, reading(req), params.id, query));
  });
  r.get('/:id/photo-matches', One, async (req, res) => {
    res.json(await photoMatchesOfIncident(deps.db, deps.files, One.input(req).params.id));
  });
  r.get('/:id/custody', allow(canDownloadCustody), One, async (req, res) => {
    const pkg = await startCustodyPackage(custody, actor(req), One.input(req).params.id);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="${pkg.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Manifest-SHA256', pkg.manifestSha256);
    // A failure after the headers went out can only cut the response short; the error handler closes the socket.
    await pipeline(pkg.stream, res);
  });
  r.patch('/:id', ...write, Patch, async (req, res) => {
    const { params, body } = Patch.input(req);
    res.json(await updateIncident(review, actor(req), params.id, body));
  });
  r.post('/:id/comments', ...write, Comment, async (req, res) => {
    const { params, body } = Comment.input(req);
    res.status(201).json(await addComment(review, actor(req), params.id, body.body));
  });
  r.post('/:id/merge', ...write, Merge, async (req, res) => {
    const { params, body } = Merge.input(req);
    res.json(await mergeIncidents(review, actor(req), params.id, await resolveIncidentId(review, body.otherId)));
  });
  r.post('/:id/split', ...write, Split, async (req, res) => {
    const { params, body } = Split.input(req);
    const created = await splitReports(review, actor(req), params.id, body.reportIds);
    res.status(201).location(`/api/incidents/${created.id}`).json(created);
  });
  return r;
}
