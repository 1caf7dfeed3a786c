// Exports as byte streams. Rows are pulled from the batched reader only as fast as the client reads, so
// memory stays at one batch whatever the size; a client that goes away stops the database reads.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/client.ts';
import type { QueueFilters } from '../incidents/filters.ts';
import {
  csvCells,
  geoFeature,
  INCIDENT_COLUMNS,
  incidentRecord,
  REPORT_COLUMNS,
  reportRecord,
  type Exported,
} from './format.ts';
import { incidentRows, reportRows } from './batches.ts';
import type { ObserverKey } from '../users/observer-identity.ts';

export const EXPORT_KINDS = ['incidents', 'reports'] as const;
export const EXPORT_FORMATS = ['csv', 'geojson'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  geojson: 'application/geo+json; charset=utf-8',
};

async function* records(
  db: Db,
  kind: ExportKind,
  f: QueueFilters,
  tz: string,
  observerKey: ObserverKey,
): AsyncGenerator<Exported> {
  if (kind === 'incidents') for await (const row of incidentRows(db, f, tz)) yield incidentRecord(row);
  else for await (const row of reportRows(db, f, tz)) yield reportRecord(row, observerKey);
}

// A UTF-8 BOM so spreadsheet programs read Arabic narratives correctly; formulas are defused because
// narratives are free text from the field and a cell starting with '=' would run in Excel.
async function* csvChunks(src: AsyncGenerator<Exported>, columns: string[]): AsyncGenerator<string> {
  const options = { columns, escape_formulas: true, cast: { boolean: (v: boolean) => (v ? 'true' : 'false') } };
  yield `\uFEFF${stringify([], { ...options, header: true })}`;
  for await (const e of src) yield stringify([csvCells(e)], options);
}

async function* geojsonChunks(src: AsyncGenerator<Exported>): AsyncGenerator<string> {
  yield '{"type":"FeatureCollection","features":[';
  let first = true;
  for await (const e of src) {
    yield (first ? '\n' : ',\n') + JSON.stringify(geoFeature(e));
    first = false;
  }
  yield '\n]}\n';
}

export function exportStream(
  db: Db,
  kind: ExportKind,
  format: ExportFormat,
  f: QueueFilters,
  tz: string,
  observerKey: ObserverKey,
): Readable {
  const src = records(db, kind, f, tz, observerKey);
  // One generator from the database to the bytes: destroying the stream (client gone) ends the reads.
  return Readable.from(
    format === 'geojson'
      ? geojsonChunks(src)
      : csvChunks(src, kind === 'incidents' ? INCIDENT_COLUMNS : REPORT_COLUMNS),
  );
}
