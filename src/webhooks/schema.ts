// The shapes of the webhook API: what an admin registers or changes, and how endpoints and deliveries are shown.
import { z } from 'zod';
import { EVENT_NAMES } from '../queue/names.ts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'cancelled'] as const;

const Url = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s):// URL')
  .refine((u) => !new URL(u).username && !new URL(u).password, 'must not carry a user name or password')
  .meta({ description: 'Where events are POSTed (use https:// outside a closed network).' });
const Events = z
  .array(z.enum(EVENT_NAMES as [string, ...string[]]))
  .min(1)
  .max(EVENT_NAMES.length)
  .transform((events) => [...new Set(events)].sort())
  .meta({ description: `Events sent to this endpoint: ${EVENT_NAMES.join(', ')}.` });
const Description = z.string().trim().min(1).max(200);

export const NewWebhook = z
  .object({ url: Url, events: Events, description: Description.optional() })
  .strict()
  .meta({ id: 'NewWebhook' });
export type NewWebhook = z.infer<typeof NewWebhook>;

export const WebhookPatch = z
  .object({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one of url, events, description, active' })
  .meta({ id: 'WebhookPatch' });
export type WebhookPatch = z.infer<typeof WebhookPatch>;

export const WebhookEndpoint = z
  .object({
    id: z.string().uuid(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const WebhookSecret = z
  .object({
    endpoint: WebhookEndpoint,
    secret: z.string().meta({ description: 'The signing secret; shown only now (rotate it to see a new one).' }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const DeliveryQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpointId: z.string().uuid().optional(),
  event: z.enum(EVENT_NAMES as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type DeliveryQuery = z.infer<typeof DeliveryQuery>;

export const WebhookDelivery = z
  .object({
    id: z.string().uuid(),
    endpointId: z.string().uuid(),
    url: z.string(),
    eventId: z.string(),
    event: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    round: z.number().int(),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    lastAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryDetail = WebhookDelivery.extend({
  body: z.string().meta({ description: 'The exact body sent (and signed).' }),
  tries: z.array(
    z.object({
      round: z.number().int(),
      attempt: z.number().int(),
      at: z.string(),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
      durationMs: z.number().int(),
      response: z.string().nullable(),
    }),
  ),
}).meta({ id: 'WebhookDeliveryDetail' });
