// Where the shared-state gauges read from: each domain's repository (PostgreSQL) and the queues (Redis).
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { jobCounts, type Queues } from '../jobs/repository.ts';
import { unpublishedBacklog } from '../outbox/repository.ts';
import { processingBacklog } from '../reports/repository.ts';
import { countHeld } from '../sms/repository.ts';
import { countUnsettledDeliveries } from '../webhooks/repository.ts';
import type { SharedState } from './index.ts';

export function sharedState(deps: { db: Db; queues: Queues; clock: Clock }): SharedState {
  return {
    queueJobs: () => jobCounts(deps.queues),
    backlog: () => processingBacklog(deps.db),
    outbox: () => unpublishedBacklog(deps.db),
    webhookDeliveries: () => countUnsettledDeliveries(deps.db),
    heldSms: () => countHeld(deps.db),
    now: () => deps.clock.now(),
  };
}
