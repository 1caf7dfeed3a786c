// HTTP adapter for SMS intake (src/sms): the gateways' webhook (POST /api/sms/inbound, form-encoded or JSON,
// authenticated by the shared gateway secret, answered with the sender's receipt as TwiML, SMSSync JSON or plain
// text), and the admins' list of inbound messages with retry and dismiss (audited).
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canManageSms } from '../../auth/policies.ts';
import { NotFound, Unauthenticated } from '../../errors.ts';
import { dismissMessage, listSms, receiveSms, retryMessage } from '../../sms/index.ts';
import { readInbound } from '../../sms/inbound.ts';
import { replyFormat, replyText, writeReply } from '../../sms/reply.ts';

const STATUSES = [
  'held',
  'all',
  'received',
  'accepted',
  'unknown_sender',
  'malformed',
  'rejected',
  'dismissed',
] as const;
const InboundQuery = z.object({ format: z.enum(['twiml', 'smssync', 'text']).optional() });
const MessagesQuery = z.object({
  status: z.enum(STATUSES).default('held'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const SmsMessage = z
  .object({
    id: z.string().uuid(),
    receiptCode: z.string(),
    gateway: z.string(),
    sender: z.string(),
    phone: z.string(),
    text: z.string(),
    sentAt: z.string().nullable(),
    receivedAt: z.string(),
    status: z.enum(STATUSES.slice(2) as [string, ...string[]]),
    reason: z.string().nullable(),
    observerId: z.string().uuid().nullable(),
    observer: z.string().nullable().optional(),
    reportId: z.string().uuid().nullable(),
    handledAt: z.string().nullable(),
  })
  .meta({ id: 'SmsMessage' });

registry.registerComponent('securitySchemes', 'smsGateway', {
  type: 'apiKey',
  in: 'header',
  name: 'x-gateway-secret',
  description:
    'SMS_GATEWAY_SECRET, as this header, as the password of HTTP Basic (https://gw:<secret>@host/... for Twilio), or as the form field `secret` (SMSSync)',
});
registry.registerPath({
  method: 'post',
  path: '/api/sms/inbound',
  tags: ['sms'],
  summary: 'An inbound SMS from a gateway (Twilio, SMSSync, generic): filed as a report, or kept for an admin',
  security: [{ smsGateway: [] }],
  request: {
    query: InboundQuery,
    body: {
      content: {
        'application/x-www-form-urlencoded': {
          schema: z.object({
            From: z.string().optional().meta({ description: 'Twilio; or from, sender, msisdn' }),
            Body: z.string().optional().meta({ description: 'Twilio; or text, message' }),
            sent_at: z.string().optional().meta({ description: 'or time, timestamp, sent_timestamp (ISO or Unix)' }),
            MessageSid: z.string().optional().meta({ description: 'or message_id, id: a retry is the same message' }),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The reply to the sender with its receipt code (TwiML, SMSSync JSON or plain text)',
      content: { 'text/xml': { schema: z.string() }, 'text/plain': { schema: z.string() } },
    },
    ...errorResponses(400, 401, 404),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/sms/messages',
  tags: ['sms'],
  summary: 'Inbound messages, newest first; status=held (default) lists those waiting for an admin (admin)',
  security,
  request: { query: MessagesQuery },
  responses: {
    200: {
      description: '{ items, nextCursor }',
      content: {
        'application/json': { schema: z.object({ items: z.array(SmsMessage), nextCursor: z.string().nullable() }) },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});
for (const [action, summary] of [
  ['retry', 'Read a held message again, e.g. once its number is registered (admin; audited)'],
  ['dismiss', 'Set a held message aside: nothing is filed from it (admin; audited)'],
] as const)
  registry.registerPath({
    method: 'post',
    path: `/api/sms/messages/{id}/${action}`,
    tags: ['sms'],
    summary,
    security,
    request: { params: IdParams },
    responses: {
      200: { description: 'The message after it', content: { 'application/json': { schema: SmsMessage } } },
      ...errorResponses(401, 403, 404, 409),
    },
  });

const Inbound = validate({ query: InboundQuery });
const Messages = validate({ query: MessagesQuery });
const One = validate({ params: IdParams }, { resource: 'message' });

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The secret the gateway sent, wherever it put it. */
function givenSecret(req: Request): string | undefined {
  const header = req.get('x-gateway-secret');
  if (header) return header;
  const auth = req.get('authorization');
  if (auth?.startsWith('Basic ')) {
    const pair = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    return pair.slice(pair.indexOf(':') + 1);
  }
  const field = (req.body as Record<string, unknown> | undefined)?.secret;
  return typeof field === 'string' ? field : undefined;
}

export function smsRouter(deps: AppDeps): Router {
  const r = Router();
  const body = [express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' })];
  const sms = { db: deps.db, clock: deps.clock, intake: deps.intake };

  r.post('/inbound', ...body, Inbound, async (req, res) => {
    const secret = deps.config.SMS_GATEWAY_SECRET;
    if (!secret) throw new NotFound('SMS intake (SMS_GATEWAY_SECRET is not set)');
    const given = givenSecret(req);
    // Compared as digests: equal lengths, and the time taken says nothing of the secret.
    if (!given || !timingSafeEqual(digest(given), digest(secret)))
      throw new Unauthenticated('missing or wrong gateway secret');
    const inbound = readInbound((req.body ?? {}) as Record<string, unknown>);
    const outcome = await receiveSms(sms, inbound);
    const m = outcome.message;
    deps.log.info({ sms: m.id, status: m.status, gateway: m.gateway }, 'sms received');
    deps.metrics.smsReceived(m.status);
    const format = replyFormat(Inbound.input(req).query.format, inbound.gateway, req.get('accept'));
    const reply = writeReply(
      format,
      replyText(outcome.language, m.receiptCode, outcome.reply),
      m.sender,
      m.receiptCode,
    );
    res.status(200).type(reply.contentType).send(reply.body);
  });

  r.get('/messages', allow(canManageSms), Messages, async (req, res) => {
    res.json(await listSms(deps.db, Messages.input(req).query));
  });
  r.post('/messages/:id/retry', allow(canManageSms), One, async (req, res) => {
    res.json(await retryMessage(sms, requireUser(req), One.input(req).params.id));
  });
  r.post('/messages/:id/dismiss', allow(canManageSms), One, async (req, res) => {
    res.json(await dismissMessage(sms, requireUser(req), One.input(req).params.id));
  });
  return r;
}
