// One try of one delivery: POST the stored body, signed with a fresh timestamp, and record what the receiver said.
// Any answer but a 2xx (a redirect too: the body is never sent on to another address), a timeout or a network error
// is a failure: the caller (the BullMQ job) throws it and is retried with backoff; the last try's failure leaves the
// delivery dead (the dead-letter list), to be resent by an admin.
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import type { SecretBox } from '../second-factor/secret-box.ts';
import type { DeliverWebhookJob } from '../queue/names.ts';
import { findDeliveryToSend, recordTry, setDeliveryStatus } from './repository.ts';
import { HEADERS, signWebhook } from './signature.ts';

export interface DeliverDeps {
  db: Db;
  clock: Clock;
  box: SecretBox;
  timeoutMs: number;
}

export type DeliverOutcome = 'delivered' | 'superseded' | 'cancelled';

export class DeliveryFailed extends Error {}

const RESPONSE_KEPT = 1000;

/**
 * `attempt` is this try's number in its round (1 first) and `last` whether no further try follows a failure.
 * 'superseded': the delivery is in another round (resent) or settled; 'cancelled': its endpoint was disabled.
 * A dead delivery's job sent back from the dead letters (/api/jobs, its tries counted from 1 again) is tried again.
 */
export async function deliverWebhook(
  deps: DeliverDeps,
  job: DeliverWebhookJob,
  attempt: { number: number; last: boolean },
): Promise<DeliverOutcome> {
  const d = await findDeliveryToSend(deps.db, job.deliveryId);
  const retried = d?.status === 'dead' && attempt.number === 1;
  if (!d || d.round !== job.round || (d.status !== 'pending' && !retried)) return 'superseded';
  if (!d.endpoint.active) {
    await setDeliveryStatus(deps.db, d.id, d.round, 'cancelled', 'the endpoint was disabled');
    return 'cancelled';
  }
  const at = deps.clock.now();
  const timestamp = Math.floor(at.getTime() / 1000);
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  let response: string | null = null;
  try {
    const res = await fetch(d.endpoint.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ceasefire-monitoring-webhooks/1',
        [HEADERS.id]: d.eventId,
        [HEADERS.event]: d.event,
        [HEADERS.delivery]: d.id,
        [HEADERS.timestamp]: String(timestamp),
        [HEADERS.signature]: signWebhook(deps.box.open(d.endpoint.secret), timestamp, d.body),
      },
      body: d.body,
    });
    statusCode = res.status;
    response = (await res.text().catch(() => '')).slice(0, RESPONSE_KEPT) || null;
    if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    error = (
      e.name === 'TimeoutError' ? `no answer within ${deps.timeoutMs} ms` : (e.cause?.message ?? e.message)
    ).slice(0, 500);
  }
  const ok = error === null;
  await recordTry(deps.db, d.id, {
    round: d.round,
    attempt: attempt.number,
    at,
    statusCode,
    error,
    durationMs: Math.round(performance.now() - started),
    response,
    status: ok ? 'delivered' : attempt.last ? 'dead' : 'pending',
  });
  if (!ok) throw new DeliveryFailed(error!);
  return 'delivered';
}
