// Exports: incidents and reports as CSV or GeoJSON with the queue's filters, streamed from batched reads,
// each download recorded in the audit trail before the first byte leaves.
import { appendAudit } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import type { QueueFilters } from '../incidents/filters.ts';
import { exportStream, type ExportFormat, type ExportKind } from './stream.ts';
import type { AuthUser } from '../users/index.ts';
import { observerKeyFor, type Pseudonym } from '../users/observer-identity.ts';

export {
  exportStream,
  CONTENT_TYPES,
  EXPORT_FORMATS,
  EXPORT_KINDS,
  type ExportFormat,
  type ExportKind,
} from './stream.ts';
export { INCIDENT_COLUMNS, REPORT_COLUMNS } from './format.ts';

export interface ExportRequest {
  kind: ExportKind;
  format: ExportFormat;
  filters: QueueFilters;
}

/** Audits the download, then opens the stream: a record exists even if the client stops halfway. */
export async function startExport(
  deps: { db: Db; clock: Clock; tz: string; pseudonym: Pseudonym },
  actor: AuthUser,
  req: ExportRequest,
) {
  await appendAudit(
    deps.db,
    {
      actorId: actor.id,
      actorName: actor.username,
      action: 'export_downloaded',
      entityType: 'export',
      entityId: `${req.kind}.${req.format}`,
      after: { kind: req.kind, format: req.format, filters: req.filters },
    },
    deps.clock,
  );
  const stamp = deps.clock.now().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return {
    stream: exportStream(deps.db, req.kind, req.format, req.filters, deps.tz, observerKeyFor(actor, deps.pseudonym)),
    filename: `${req.kind}-${stamp}.${req.format}`,
  };
}
