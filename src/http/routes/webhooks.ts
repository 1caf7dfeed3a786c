// HTTP adapter for the webhooks domain (src/webhooks), admins only: register and change endpoints, rotate a secret,
// list deliveries (status=dead: the dead letters), read one with its tries, and resend one. Changes are audited.
import express, { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canManageWebhooks } from '../../auth/policies.ts';
import { EVENT_NAMES } from '../../queue/names.ts';
import { EVENT_DESCRIPTIONS } from '../../webhooks/events.ts';
import {
  createEndpoint,
  getDelivery,
  listDeliveries,
  listEndpoints,
  resendDelivery,
  rotateSecret,
  updateEndpoint,
  webhookSecretBox,
} from '../../webhooks/index.ts';
import {
  DeliveryQuery,
  NewWebhook,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookEndpoint,
  WebhookPatch,
  WebhookSecret,
} from '../../webhooks/schema.ts';

const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const tags = ['webhooks'];
registry.registerPath({
  method: 'get',
  path: '/api/webhooks/events',
  tags,
  summary: 'The events an endpoint can subscribe to (admin)',
  security,
  responses: {
    200: json('Events', z.object({ items: z.array(z.object({ event: z.string(), description: z.string() })) })),
    ...errorResponses(401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/webhooks',
  tags,
  summary: 'Registered endpoints (admin)',
  security,
  responses: { 200: json('Endpoints', z.object({ items: z.array(WebhookEndpoint) })), ...errorResponses(401, 403) },
});
registry.registerPath({
  method: 'post',
  path: '/api/webhooks',
  tags,
  summary: 'Register an endpoint (admin; audited); the answer holds its signing secret, shown only this once',
  security,
  request: { body: { content: { 'application/json': { schema: NewWebhook } } } },
  responses: { 201: json('Registered', WebhookSecret), ...errorResponses(401, 403, 422) },
});
registry.registerPath({
  method: 'patch',
  path: '/api/webhooks/{id}',
  tags,
  summary: 'Change an endpoint: address, events, description, active (admin; audited)',
  security,
  request: { params: IdParams, body: { content: { 'application/json': { schema: WebhookPatch } } } },
  responses: { 200: json('Changed', WebhookEndpoint), ...errorResponses(401, 403, 404, 422) },
});
registry.registerPath({
  method: 'post',
  path: '/api/webhooks/{id}/secret',
  tags,
  summary: 'Rotate the signing secret (admin; audited); the new secret is shown only this once',
  security,
  request: { params: IdParams },
  responses: { 200: json('Rotated', WebhookSecret), ...errorResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'get',
  path: '/api/webhooks/deliveries',
  tags,
  summary: 'Deliveries, newest first; status=dead lists the dead letters (admin)',
  security,
  request: { query: DeliveryQuery },
  responses: {
    200: json(
      '{ items, nextCursor }',
      z.object({ items: z.array(WebhookDelivery), nextCursor: z.string().nullable() }),
    ),
    ...errorResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/webhooks/deliveries/{id}',
  tags,
  summary: 'One delivery with its body and every try (admin)',
  security,
  request: { params: IdParams },
  responses: { 200: json('Delivery', WebhookDeliveryDetail), ...errorResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/api/webhooks/deliveries/{id}/resend',
  tags,
  summary: 'Send a delivered or dead delivery again, as a new round of tries (admin; audited)',
  security,
  request: { params: IdParams },
  responses: { 202: json('Queued', WebhookDelivery), ...errorResponses(401, 403, 404, 409) },
});

const Create = validate({ body: NewWebhook });
const Patch = validate({ params: IdParams, body: WebhookPatch }, { resource: 'webhook' });
const Rotate = validate({ params: IdParams }, { resource: 'webhook' });
const Deliveries = validate({ query: DeliveryQuery });
const Delivery = validate({ params: IdParams }, { resource: 'delivery' });

export function webhooksRouter(deps: AppDeps): Router {
  const r = Router();
  const body = express.json({ limit: '16kb' });
  const wh = { db: deps.db, clock: deps.clock, box: webhookSecretBox(deps.config) };
  r.use(allow(canManageWebhooks));

  r.get('/events', (_req, res) => {
    res.json({ items: EVENT_NAMES.map((event) => ({ event, description: EVENT_DESCRIPTIONS[event] })) });
  });
  r.get('/', async (_req, res) => {
    res.json({ items: await listEndpoints(deps.db) });
  });
  r.post('/', body, Create, async (req, res) => {
    res.status(201).json(await createEndpoint(wh, requireUser(req), Create.input(req).body));
  });
  r.get('/deliveries', Deliveries, async (req, res) => {
    res.json(await listDeliveries(deps.db, Deliveries.input(req).query));
  });
  r.get('/deliveries/:id', Delivery, async (req, res) => {
    res.json(await getDelivery(deps.db, Delivery.input(req).params.id));
  });
  r.post('/deliveries/:id/resend', Delivery, async (req, res) => {
    res.status(202).json(await resendDelivery(wh, requireUser(req), Delivery.input(req).params.id));
  });
  r.patch('/:id', body, Patch, async (req, res) => {
    const { params, body: patch } = Patch.input(req);
    res.json(await updateEndpoint(wh, requireUser(req), params.id, patch));
  });
  r.post('/:id/secret', Rotate, async (req, res) => {
    res.json(await rotateSecret(wh, requireUser(req), Rotate.input(req).params.id));
  });
  return r;
}
