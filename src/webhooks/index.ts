// Webhooks: admins register endpoints per event (registration, changes, secret rotations and resends audited in the
// transaction of their change); events reach them through the outbox (dispatch.ts), each delivery signed and tried
// with backoff until it is delivered or dead (deliver.ts); how a receiver checks a signature is signature.ts.
import { appendAudit, type AuditAction, type Clock } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { Conflict, NotFound } from '../errors.ts';
import { enqueue } from '../outbox/repository.ts';
import { WEBHOOK_DELIVERY, type DeliverWebhookJob } from '../queue/names.ts';
import { decodeCursor, keysetPage } from '../db/keyset.ts';
import { createSecretBox, type SecretBox } from '../second-factor/secret-box.ts';
import type { AuthUser } from '../users/index.ts';
import {
  findDelivery,
  insertEndpoint,
  listDeliveries as listDeliveryRows,
  listEndpoints as listEndpointRows,
  lockDelivery,
  lockEndpoint,
  startRound,
  updateEndpoint as updateEndpointRow,
} from './repository.ts';
import type { DeliveryQuery, NewWebhook, WebhookPatch } from './schema.ts';
import { newWebhookSecret } from './signature.ts';

export interface WebhookDeps {
  db: Db;
  clock: Clock;
  /** Seals the endpoints' secrets at rest (webhookSecretBox). */
  box: SecretBox;
  random?: (n: number) => Buffer;
}
type Admin = Pick<AuthUser, 'id' | 'username'>;

/** The box endpoint secrets are sealed in: the installation's key material, under a purpose of its own. */
export function webhookSecretBox(config: { SECOND_FACTOR_KEY?: string; SESSION_SECRET: string }): SecretBox {
  return createSecretBox(config.SECOND_FACTOR_KEY ?? config.SESSION_SECRET, undefined, 'webhook secrets v1');
}

type EndpointRow = Awaited<ReturnType<typeof listEndpointRows>>[number];
const endpointView = (e: EndpointRow) => ({
  ...e,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

const audit = (admin: Admin, action: AuditAction, id: string) => ({
  actorId: admin.id,
  actorName: admin.username,
  action,
  entityType: 'webhook',
  entityId: id,
});

export async function listEndpoints(db: Db) {
  return (await listEndpointRows(db)).map(endpointView);
}

/** Registers an endpoint; its secret is returned this once. */
export async function createEndpoint(deps: WebhookDeps, admin: Admin, input: NewWebhook) {
  const secret = newWebhookSecret(deps.random);
  return deps.db.$transaction(async (tx) => {
    const row = await insertEndpoint(tx, {
      url: input.url,
      description: input.description ?? null,
      events: input.events,
      secret: deps.box.seal(secret),
    });
    await appendAudit(tx, { ...audit(admin, 'webhook_created', row.id), after: row }, deps.clock);
    return { endpoint: endpointView(row), secret };
  });
}

export async function updateEndpoint(deps: WebhookDeps, admin: Admin, id: string, patch: WebhookPatch) {
  return deps.db.$transaction(async (tx) => {
    const before = await lockEndpoint(tx, id);
    if (!before) throw new NotFound('webhook');
    const after = await updateEndpointRow(tx, id, patch);
    await appendAudit(tx, { ...audit(admin, 'webhook_updated', id), before, after }, deps.clock);
    return endpointView(after);
  });
}

/** A new secret for an endpoint, returned this once; the old one signs nothing from the commit on. */
export async function rotateSecret(deps: WebhookDeps, admin: Admin, id: string) {
  const secret = newWebhookSecret(deps.random);
  return deps.db.$transaction(async (tx) => {
    if (!(await lockEndpoint(tx, id))) throw new NotFound('webhook');
    const row = await updateEndpointRow(tx, id, { secret: deps.box.seal(secret) });
    await appendAudit(tx, audit(admin, 'webhook_secret_rotated', id), deps.clock);
    return { endpoint: endpointView(row), secret };
  });
}

type DeliveryRow = Awaited<ReturnType<typeof listDeliveryRows>>[number];
const iso = (d: Date | null) => d?.toISOString() ?? null;
const deliveryView = ({ endpoint, ...d }: DeliveryRow) => ({
  ...d,
  url: endpoint.url,
  createdAt: d.createdAt.toISOString(),
  lastAttemptAt: iso(d.lastAttemptAt),
  deliveredAt: iso(d.deliveredAt),
});

/** The one order of the delivery list, as its cursors name it. */
const DELIVERY_ORDER = '-created';

/** Deliveries newest first (`status: 'dead'` is the dead-letter list). */
export async function listDeliveries(db: Db, q: DeliveryQuery) {
  const rows = await listDeliveryRows(db, {
    ...q,
    limit: q.limit + 1,
    after: q.cursor ? decodeCursor(q.cursor, DELIVERY_ORDER) : undefined,
  });
  const { page, nextCursor } = keysetPage(rows, q.limit, DELIVERY_ORDER, (r) => r.createdAt);
  return { items: page.map(deliveryView), nextCursor };
}

export async function getDelivery(db: Db, id: string) {
  const row = await findDelivery(db, id);
  if (!row) throw new NotFound('delivery');
  const { tries, body, ...rest } = row;
  return { ...deliveryView(rest), body, tries: tries.map((t) => ({ ...t, at: t.at.toISOString() })) };
}

/**
 * Sends a delivery again, the same body under the same event id (receivers deduplicate on it), as a new round of
 * tries; the job is queued through the outbox with the audit row, so a resend is never lost nor unrecorded.
 */
export async function resendDelivery(deps: WebhookDeps, admin: Admin, id: string) {
  return deps.db.$transaction(async (tx) => {
    const before = await lockDelivery(tx, id);
    if (!before) throw new NotFound('delivery');
    if (before.status === 'pending') throw new Conflict('this delivery is still being tried');
    if (!before.endpoint.active) throw new Conflict('the endpoint is disabled: enable it first');
    const after = await startRound(tx, id, before.round + 1);
    const job: DeliverWebhookJob = { deliveryId: id, round: after.round };
    await enqueue(tx, WEBHOOK_DELIVERY, { ...job });
    await appendAudit(
      tx,
      {
        ...audit(admin, 'webhook_resent', before.endpointId),
        before: { deliveryId: id, status: before.status, round: before.round, attempts: before.attempts },
        after: { deliveryId: id, eventId: before.eventId, event: before.event, round: after.round },
      },
      deps.clock,
    );
    return deliveryView(after);
  });
}
