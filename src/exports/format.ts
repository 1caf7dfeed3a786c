// One flat record per incident or report: GeoJSON properties as they are, CSV cells with lists joined by ';'.
import type { ExportIncident, ExportReport } from './batches.ts';
import type { ObserverKey } from '../users/observer-identity.ts';

type Value = string | number | boolean | null | string[];
export interface Exported {
  properties: Record<string, Value>;
  lon: number | null;
  lat: number | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function incidentRecord(i: ExportIncident): Exported {
  return {
    lon: i.lon,
    lat: i.lat,
    properties: {
      id: i.id,
      state: i.state,
      assignee: i.assignee?.username ?? null,
      terms: i.terms,
      stance: i.stance,
      parties: i.parties,
      confidence: i.confidence,
      severity: i.severity,
      lat: i.lat,
      lon: i.lon,
      placeName: i.placeName,
      firstObservedAt: iso(i.firstObservedAt),
      lastObservedAt: iso(i.lastObservedAt),
      reportCount: i.reportCount,
      languages: i.languages,
      corrected: i.correction !== null,
      summary: i.summary,
    },
  };
}

/** `observerKey`: the observer's id as the downloader may see it (src/users/observer-identity.ts). */
export function reportRecord(r: ExportReport, observerKey: ObserverKey): Exported {
  const c = (r.casualties ?? {}) as Record<string, number | undefined>;
  // A report without GPS is placed where its place name was resolved, as on the map.
  const lat = r.lat ?? r.resolvedLat;
  const lon = r.lat !== null ? r.lon : r.resolvedLon;
  return {
    lon,
    lat,
    properties: {
      id: r.id,
      incidentId: r.incidentId,
      incidentState: r.incident?.state ?? null,
      observerId: observerKey(r.observerId),
      source: r.source,
      observedAt: iso(r.observedAt),
      receivedAt: iso(r.receivedAt),
      lat: r.lat,
      lon: r.lon,
      accuracyM: r.accuracyM,
      placeName: r.placeName,
      resolvedPlace: r.resolvedPlace,
      resolvedLat: r.resolvedLat,
      resolvedLon: r.resolvedLon,
      partyAlleged: r.partyAlleged,
      language: r.language,
      terms: r.terms,
      stance: r.stance,
      confidence: r.confidence,
      corrected: r.correction !== null,
      killed: c.killed ?? null,
      injured: c.injured ?? null,
      missing: c.missing ?? null,
      detained: c.detained ?? null,
      attachments: r._count.attachments,
      // More than 1: the observer edited the report after sending it (ODK Collect); the narrative is the latest
      // version, the earlier ones are on the report's page and in its audit rows.
      version: r.version,
      narrative: r.narrative,
    },
  };
}

export const INCIDENT_COLUMNS = [
  'id',
  'state',
  'assignee',
  'terms',
  'stance',
  'parties',
  'confidence',
  'severity',
  'lat',
  'lon',
  'placeName',
  'firstObservedAt',
  'lastObservedAt',
  'reportCount',
  'languages',
  'corrected',
  'summary',
];

export const REPORT_COLUMNS = [
  'id',
  'incidentId',
  'incidentState',
  'observerId',
  'source',
  'observedAt',
  'receivedAt',
  'lat',
  'lon',
  'accuracyM',
  'placeName',
  'resolvedPlace',
  'resolvedLat',
  'resolvedLon',
  'partyAlleged',
  'language',
  'terms',
  'stance',
  'confidence',
  'corrected',
  'killed',
  'injured',
  'missing',
  'detained',
  'attachments',
  'version',
  'narrative',
];

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): field text such as
// "=HYPERLINK(...)" typed by an observer must open as text, so it is prefixed with an apostrophe (OWASP's advice).
const FORMULA_START = /^[=+\-@\t\r]/;
export const csvText = (v: string) => (FORMULA_START.test(v) ? `'${v}` : v);

export function csvCells(e: Exported): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(e.properties).map(([k, v]) => {
      const cell = Array.isArray(v) ? v.join(';') : v;
      return [k, typeof cell === 'string' ? csvText(cell) : cell];
    }),
  );
}

export function geoFeature(e: Exported) {
  return {
    type: 'Feature',
    id: e.properties.id,
    // GeoJSON allows a feature without geometry: an unplaced report is still part of the record.
    geometry: e.lat !== null && e.lon !== null ? { type: 'Point', coordinates: [e.lon, e.lat] } : null,
    properties: e.properties,
  };
}
