// Live incident events: a small message on Redis pub/sub each time an incident is opened or changes, published by
// whichever process committed the change (the workers' pipeline, an API process's review action) and fanned out by
// every API process to its server-sent-event streams (hub.ts). An event names the incident and what happened, never
// what a report says. Delivery is best effort: a page that missed events refreshes when it reconnects.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export const INCIDENT_EVENT_KINDS = [
  'opened',
  'joined',
  'reprocessed',
  'state',
  'assigned',
  'corrected',
  'commented',
  'merged',
  'split',
  'added',
  'edited',
  'erased',
] as const;
export type IncidentEventKind = (typeof INCIDENT_EVENT_KINDS)[number];

export interface IncidentEvent {
  incidentId: string;
  kind: IncidentEventKind;
  /** Who made the change: a user id, or null for the machine (the pipeline, dedup, retention). A page that made
   * the change itself has already shown it, and need not say so again. */
  actorId?: string | null;
}

/** Called after the change committed; never throws and never waits: the change is done whatever Redis says. */
export type IncidentEventSink = (events: IncidentEvent[]) => void;

/** One channel per deployment (QUEUE_PREFIX), so parallel tests and side-by-side deployments stay apart. */
export const incidentEventsChannel = (prefix: string) => `${prefix}:live:incidents`;

export function createIncidentEventPublisher(redis: Redis, prefix: string, log: Logger): IncidentEventSink {
  const channel = incidentEventsChannel(prefix);
  let warned = false;
  return (events) => {
    if (!events.length) return;
    redis.publish(channel, JSON.stringify(events)).then(
      () => {
        warned = false;
      },
      (err: Error) => {
        if (!warned) log.warn({ err: err.message }, 'live incident events not published');
        warned = true;
      },
    );
  };
}

const KINDS = new Set<string>(INCIDENT_EVENT_KINDS);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The events of one message; anything that is not an event is dropped. */
export function parseIncidentEvents(message: string): IncidentEvent[] {
  let data: unknown;
  try {
    data = JSON.parse(message);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  return data.flatMap((e: unknown) => {
    const { incidentId, kind, actorId } = (e ?? {}) as Record<string, unknown>;
    return typeof incidentId === 'string' && UUID.test(incidentId) && typeof kind === 'string' && KINDS.has(kind)
      ? [
          {
            incidentId,
            kind: kind as IncidentEventKind,
            actorId: typeof actorId === 'string' && UUID.test(actorId) ? actorId : null,
          },
        ]
      : [];
  });
}
