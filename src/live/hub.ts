// An API process's one subscription to the live incident events (events.ts): each message is read once, the
// incidents' current state, severity and assignee are added in one read (so a page can tell "assigned to me" or
// "severe" without asking), and the result goes to every open stream of this process.
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { redisConnection } from '../queue/connection.ts';
import { readLiveFacts } from '../incidents/repository.ts';
import { observersAmong } from '../users/repository.ts';
import { incidentEventsChannel, parseIncidentEvents, type IncidentEventKind } from './events.ts';

export interface LiveIncidentEvent {
  incidentId: string;
  kind: IncidentEventKind;
  state: string | null;
  severity: number | null;
  assigneeId: string | null;
  mergedIntoId: string | null;
  /** Who made the change (null: the machine). */
  actorId: string | null;
  /** The actor is an observer (adding to their report): a stream shows them as its reader may see observers. */
  actorIsObserver: boolean;
}
export type LiveListener = (events: LiveIncidentEvent[]) => void;

export interface IncidentEventHub {
  /** Returns the function that ends the subscription. */
  subscribe(listener: LiveListener): () => void;
  /**
   * Opens the Redis subscription if it is not open, and settles once it is in place (or has failed: the stream stays
   * open and waits).
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createIncidentEventHub(deps: {
  db: Db;
  log: Logger;
  redisUrl: string;
  prefix: string;
}): IncidentEventHub {
  const listeners = new Set<LiveListener>();
  const channel = incidentEventsChannel(deps.prefix);
  // A subscribed connection serves nothing else; it is opened with the first stream and waits out Redis outages
  // (ioredis subscribes again after a reconnect).
  let sub: ReturnType<typeof redisConnection> | null = null;
  let subscribed: Promise<void> = Promise.resolve();

  const deliver = async (message: string) => {
    const events = parseIncidentEvents(message);
    if (!events.length || !listeners.size) return;
    const facts = new Map(
      (await readLiveFacts(deps.db, [...new Set(events.map((e) => e.incidentId))])).map((f) => [f.id, f]),
    );
    const observers = await observersAmong(deps.db, [
      ...new Set(events.flatMap((e) => (e.actorId ? [e.actorId] : []))),
    ]);
    const live = events.map((e) => {
      const f = facts.get(e.incidentId);
      return {
        incidentId: e.incidentId,
        kind: e.kind,
        state: f?.state ?? null,
        severity: f?.severity ?? null,
        assigneeId: f?.assigneeId ?? null,
        mergedIntoId: f?.mergedIntoId ?? null,
        actorId: e.actorId ?? null,
        actorIsObserver: !!e.actorId && observers.has(e.actorId),
      };
    });
    for (const l of listeners) l(live);
  };

  const open = () => {
    if (sub) return;
    sub = redisConnection(deps.redisUrl, deps.log, 'worker');
    sub.on('message', (ch: string, message: string) => {
      if (ch !== channel) return;
      deliver(message).catch((err: Error) => deps.log.warn({ err: err.message }, 'live incident events dropped'));
    });
    subscribed = sub.subscribe(channel).then(
      () => undefined,
      (err: Error) => deps.log.warn({ err: err.message }, 'live events: cannot subscribe'),
    );
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      open();
      return () => {
        listeners.delete(listener);
      };
    },
    ready() {
      // Opened here too: a stream awaits ready() before it subscribes, and a ready() that settled before the first
      // subscription existed let the first stream of a process miss what happened while it was being set up.
      open();
      return subscribed;
    },
    async close() {
      listeners.clear();
      const s = sub;
      sub = null;
      if (s) await s.quit().catch(() => s.disconnect());
    },
  };
}
