// Queue name → processor factory. Each processor receives a job and calls the domain; nothing else.
import type { Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import { QUEUES } from '../src/queue/names.ts';
import { reportsProcessor } from './reports.ts';
import { digestsProcessor } from './digests.ts';
import { modelsProcessor } from './models.ts';
import { incidentsProcessor } from './incidents.ts';
import { retentionProcessor } from './retention.ts';
import { webhooksProcessor } from './webhooks.ts';
import { notificationsProcessor } from './notifications.ts';

export const processors: Record<string, (rt: Runtime) => Processor> = {
  [QUEUES.reports]: (rt) => reportsProcessor(rt) as Processor,
  [QUEUES.digests]: (rt) => digestsProcessor(rt) as Processor,
  [QUEUES.models]: (rt) => modelsProcessor(rt) as Processor,
  [QUEUES.incidents]: (rt) => incidentsProcessor(rt) as Processor,
  [QUEUES.retention]: (rt) => retentionProcessor(rt) as Processor,
  [QUEUES.webhooks]: (rt) => webhooksProcessor(rt) as Processor,
  [QUEUES.notifications]: (rt) => notificationsProcessor(rt) as Processor,
};
