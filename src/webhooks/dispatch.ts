// An event becomes deliveries: one row per active endpoint subscribed to it, each with its send job queued through
// the outbox in the same transaction. Safe to run twice: an endpoint that has its delivery of the event gets no other.
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { enqueueMany } from '../outbox/repository.ts';
import { WEBHOOK_DELIVERY, type DeliverWebhookJob, type DispatchEventJob } from '../queue/names.ts';
import { describeEvent } from './events.ts';
import { activeEndpointsFor, insertDeliveries } from './repository.ts';

export interface DispatchDeps {
  db: Db;
  clock: Clock;
  /** Absolute links in bodies (PUBLIC_URL); paths alone without it. */
  publicUrl?: string;
}

/** How many deliveries were made. */
export async function dispatchEvent(deps: DispatchDeps, job: DispatchEventJob): Promise<number> {
  const endpoints = await activeEndpointsFor(deps.db, job.event);
  if (!endpoints.length) return 0;
  const data = await describeEvent(deps.db, job.event, job.payload, deps.publicUrl);
  if (!data) return 0;
  // The body is fixed here, once for every endpoint and every try: the signature covers these exact bytes.
  const body = JSON.stringify({ id: job.eventId, type: job.event, occurredAt: job.occurredAt, data });
  return deps.db.$transaction(async (tx) => {
    const ids = await insertDeliveries(tx, {
      endpointIds: endpoints.map((e) => e.id),
      eventId: job.eventId,
      event: job.event,
      body,
      createdAt: deps.clock.now(),
    });
    await enqueueMany(
      tx,
      WEBHOOK_DELIVERY,
      ids.map((deliveryId): DeliverWebhookJob => ({ deliveryId, round: 1 })),
    );
    return ids.length;
  });
}
