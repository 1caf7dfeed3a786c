// The webhook tables' one data-access module: endpoints (WebhookEndpoint), deliveries (WebhookDelivery) and every try
// of a delivery (WebhookAttempt).
import type { Db, SqlTx, Tx } from '../db/client.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'cancelled';

const endpointSelect = {
  id: true,
  url: true,
  description: true,
  events: true,
  active: true,
  createdAt: true,
  updatedAt: true,
} as const;

export async function insertEndpoint(
  tx: Tx,
  data: { url: string; description: string | null; events: string[]; secret: string },
) {
  return tx.webhookEndpoint.create({ data, select: endpointSelect });
}

export async function listEndpoints(db: Db) {
  return db.webhookEndpoint.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: endpointSelect });
}

/** An endpoint as it stands before a change, locked for it. */
export async function lockEndpoint(tx: Tx, id: string) {
  await tx.$executeRaw`SELECT 1 FROM "WebhookEndpoint" WHERE "id" = ${id}::uuid FOR UPDATE`;
  return tx.webhookEndpoint.findUnique({ where: { id }, select: endpointSelect });
}

export async function updateEndpoint(
  tx: Tx,
  id: string,
  data: { url?: string; description?: string | null; events?: string[]; active?: boolean; secret?: string },
) {
  return tx.webhookEndpoint.update({ where: { id }, data, select: endpointSelect });
}

/** The events some active endpoint subscribes to (the outbox relay asks once per batch). */
export async function subscribedEvents(tx: SqlTx): Promise<Set<string>> {
  const rows = await tx.$queryRaw<Array<{ event: string }>>`
    SELECT DISTINCT unnest("events") AS event FROM "WebhookEndpoint" WHERE "active"`;
  return new Set(rows.map((r) => r.event));
}

export async function activeEndpointsFor(db: Db, event: string) {
  return db.webhookEndpoint.findMany({ where: { active: true, events: { has: event } }, select: { id: true } });
}

/**
 * One delivery per endpoint for an event; an endpoint that already has one for it gets none (a dispatch job run
 * twice). The ids of the new rows.
 */
export async function insertDeliveries(
  tx: SqlTx,
  d: { endpointIds: string[]; eventId: string; event: string; body: string; createdAt: Date },
): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "WebhookDelivery" ("endpointId", "eventId", "event", "body", "createdAt")
    SELECT e, ${d.eventId}, ${d.event}, ${d.body}, ${d.createdAt} FROM unnest(${d.endpointIds}::uuid[]) AS e
    ON CONFLICT ("eventId", "endpointId") DO NOTHING
    RETURNING "id"::text AS id`;
  return rows.map((r) => r.id);
}

/** A delivery with what sending it needs: its endpoint's address, secret (sealed) and state. */
export async function findDeliveryToSend(db: Db, id: string) {
  return db.webhookDelivery.findUnique({
    where: { id },
    select: {
      id: true,
      eventId: true,
      event: true,
      body: true,
      status: true,
      round: true,
      endpoint: { select: { url: true, secret: true, active: true } },
    },
  });
}

export interface TryOutcome {
  round: number;
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  response: string | null;
  /** The delivery's state after this try. */
  status: DeliveryStatus;
}

/** Records one try, and the delivery's state after it, unless a resend started another round meanwhile. */
export async function recordTry(db: Db, deliveryId: string, t: TryOutcome): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.webhookAttempt.create({
      data: {
        deliveryId,
        round: t.round,
        attempt: t.attempt,
        at: t.at,
        statusCode: t.statusCode,
        error: t.error,
        durationMs: t.durationMs,
        response: t.response,
      },
    });
    await tx.webhookDelivery.updateMany({
      where: { id: deliveryId, round: t.round },
      data: {
        attempts: { increment: 1 },
        status: t.status,
        lastStatusCode: t.statusCode,
        lastError: t.error,
        lastAttemptAt: t.at,
        ...(t.status === 'delivered' ? { deliveredAt: t.at } : {}),
      },
    });
  });
}

export async function setDeliveryStatus(db: Db, id: string, round: number, status: DeliveryStatus, error: string) {
  await db.webhookDelivery.updateMany({ where: { id, round }, data: { status, lastError: error } });
}

const deliverySelect = {
  id: true,
  endpointId: true,
  eventId: true,
  event: true,
  status: true,
  round: true,
  attempts: true,
  lastStatusCode: true,
  lastError: true,
  createdAt: true,
  lastAttemptAt: true,
  deliveredAt: true,
  endpoint: { select: { url: true } },
} as const;

/** Newest first; `after` is the last row of the previous page. */
export async function listDeliveries(
  db: Db,
  q: { status?: DeliveryStatus; endpointId?: string; event?: string; limit: number; after?: { at: Date; id: string } },
) {
  return db.webhookDelivery.findMany({
    where: {
      ...(q.status ? { status: q.status } : {}),
      ...(q.endpointId ? { endpointId: q.endpointId } : {}),
      ...(q.event ? { event: q.event } : {}),
      ...(q.after
        ? { OR: [{ createdAt: { lt: q.after.at } }, { createdAt: q.after.at, id: { lt: q.after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit,
    select: deliverySelect,
  });
}

export async function findDelivery(db: Db, id: string) {
  return db.webhookDelivery.findUnique({
    where: { id },
    select: {
      ...deliverySelect,
      body: true,
      tries: {
        orderBy: { id: 'asc' },
        select: {
          round: true,
          attempt: true,
          at: true,
          statusCode: true,
          error: true,
          durationMs: true,
          response: true,
        },
      },
    },
  });
}

export async function lockDelivery(tx: Tx, id: string) {
  await tx.$executeRaw`SELECT 1 FROM "WebhookDelivery" WHERE "id" = ${id}::uuid FOR UPDATE`;
  return tx.webhookDelivery.findUnique({
    where: { id },
    select: { ...deliverySelect, endpoint: { select: { active: true, url: true } } },
  });
}

/** A resend: the next round, pending again. */
export async function startRound(tx: Tx, id: string, round: number) {
  return tx.webhookDelivery.update({
    where: { id },
    data: { round, status: 'pending', lastError: null },
    select: deliverySelect,
  });
}

/** Deliveries being tried and dead ones, for the metrics. */
export async function countUnsettledDeliveries(db: Db): Promise<Array<{ status: DeliveryStatus; count: number }>> {
  const rows = await db.webhookDelivery.groupBy({
    by: ['status'],
    where: { status: { in: ['pending', 'dead'] } },
    _count: { _all: true },
  });
  return rows.map((r) => ({ status: r.status, count: r._count._all }));
}
