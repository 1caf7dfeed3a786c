// webhooks queue: dispatch-event jobs → dispatchEvent (an event becomes one delivery per subscribed endpoint);
// deliver-webhook jobs → deliverWebhook (one signed try; BullMQ retries a failure with backoff, and the last
// failure leaves the delivery dead). Both are safe to run twice (see src/webhooks).
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import { JOBS, type DeliverWebhookJob, type DispatchEventJob } from '../src/queue/names.ts';
import { webhookSecretBox } from '../src/webhooks/index.ts';
import { dispatchEvent } from '../src/webhooks/dispatch.ts';
import { deliverWebhook, DeliveryFailed } from '../src/webhooks/deliver.ts';

export function webhooksProcessor(rt: Runtime): Processor<DispatchEventJob | DeliverWebhookJob> {
  const dispatchDeps = { db: rt.db, clock: rt.clock, publicUrl: rt.config.PUBLIC_URL };
  const deliverDeps = {
    db: rt.db,
    clock: rt.clock,
    box: webhookSecretBox(rt.config),
    timeoutMs: rt.config.WEBHOOK_TIMEOUT_MS,
  };
  return async (job: Job<DispatchEventJob | DeliverWebhookJob>) => {
    if (job.name === JOBS.dispatchEvent) return dispatchEvent(dispatchDeps, job.data as DispatchEventJob);
    const number = job.attemptsMade + 1;
    try {
      const outcome = await deliverWebhook(deliverDeps, job.data as DeliverWebhookJob, {
        number,
        last: number >= (job.opts.attempts ?? 1),
      });
      if (outcome === 'delivered') rt.metrics.webhookTry('delivered');
      return outcome;
    } catch (err) {
      if (err instanceof DeliveryFailed) rt.metrics.webhookTry('failed');
      throw err;
    }
  };
}
