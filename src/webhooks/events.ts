// What a webhook says about each event. The outbox row written with the change carries ids and the facts of the
// moment (who verified, which incident was merged away); the body adds the entity as it stands when the event is
// dispatched. Bodies carry what the commission's integrations need to act, never the observer's identity or
// narrative: a receiver reads more through the API with a token of its own (`links`).
import type { Db } from '../db/client.ts';
import { findDigestSummary } from '../digests/repository.ts';
import { findIncidentForPage } from '../incidents/repository.ts';
import { incidentSummary } from '../incidents/view.ts';
import { EVENTS, type EventName } from '../queue/names.ts';
import { findReportForEvent } from '../reports/repository.ts';

/** What each event's description says, for the admin page and the README. */
export const EVENT_DESCRIPTIONS: Record<EventName, string> = {
  [EVENTS.reportReceived]: 'a report was accepted (any channel: app, API, ODK, SMS)',
  [EVENTS.incidentCreated]: 'an incident was opened (by the pipeline for a new report, or by a split)',
  [EVENTS.incidentVerified]: 'the commission verified an incident',
  [EVENTS.incidentMerged]: 'an incident was merged into another (by a reviewer or by dedup)',
  [EVENTS.digestPublished]: 'a compliance digest was compiled and stored',
};

const link = (publicUrl: string | undefined, path: string) => `${publicUrl ?? ''}${path}`;

/** The `data` of an event's body; null when what it names is gone (nothing to send). */
export async function describeEvent(
  db: Db,
  event: EventName,
  payload: Record<string, unknown>,
  publicUrl?: string,
): Promise<Record<string, unknown> | null> {
  const id = (key: string) => String(payload[key] ?? '');
  switch (event) {
    case EVENTS.reportReceived: {
      const r = await findReportForEvent(db, id('reportId'));
      if (!r) return null;
      return {
        report: {
          id: r.id,
          source: r.source,
          observedAt: r.observedAt.toISOString(),
          receivedAt: r.receivedAt.toISOString(),
          placeName: r.placeName,
          lat: r.lat,
          lon: r.lon,
          partyAlleged: r.partyAlleged,
          attachments: r._count.attachments,
        },
        links: { report: link(publicUrl, `/api/reports/${r.id}`) },
      };
    }
    case EVENTS.incidentCreated:
    case EVENTS.incidentVerified:
    case EVENTS.incidentMerged: {
      const row = await findIncidentForPage(db, id('incidentId'));
      if (!row) return null;
      const { incidentId: _, ...facts } = payload;
      return {
        incident: { ...incidentSummary(row), mergedIntoId: row.mergedIntoId },
        ...facts,
        links: { incident: link(publicUrl, `/api/incidents/${row.id}`) },
      };
    }
    case EVENTS.digestPublished: {
      const d = await findDigestSummary(db, id('digestId'));
      if (!d) return null;
      const at = (format: string) => link(publicUrl, `/api/digests/${d.id}?format=${format}`);
      return {
        digest: {
          id: d.id,
          agreementId: d.agreementId,
          periodFrom: d.periodFrom.toISOString(),
          periodTo: d.periodTo.toISOString(),
          trigger: d.trigger,
          contentHash: d.contentHash,
          createdAt: d.createdAt.toISOString(),
        },
        links: { json: at('json'), html: at('html'), pdf: at('pdf') },
      };
    }
  }
}
