// Presents a report row as API JSON. A reviewer's correction wins over the automatic classification,
// and both are shown so the commission can see what the machine said and what a person decided.
import type { ReportRow } from './repository.ts';
import { activeAgreement } from '../agreements/index.ts';
import { loadGazetteer, placesInReasons } from '../classify/places.ts';
import type { ReportFlag } from './flags.ts';
import { observerProgress, type InfoRequest } from './feedback.ts';

interface AutoClassification {
  terms: Array<{ id: string; confidence: number; evidence: Array<{ start: number; end: number; text: string }> }>;
  stance: 'violation' | 'compliance' | 'information';
}
interface Correction {
  terms: string[];
  stance: AutoClassification['stance'];
  by?: string;
  at?: string;
  note?: string;
}

export function classificationView(auto: unknown, correction: unknown) {
  const a = auto as AutoClassification | null;
  const c = correction as Correction | null;
  if (!a && !c) return null;
  if (!c) return { terms: a!.terms, stance: a!.stance, corrected: false };
  return {
    terms: c.terms.map((id) => ({ id, confidence: 1, evidence: a?.terms.find((t) => t.id === id)?.evidence ?? [] })),
    stance: c.stance,
    corrected: true,
    automatic: a ? { terms: a.terms, stance: a.stance } : null,
    correctedBy: c.by ?? null,
    correctedAt: c.at ?? null,
  };
}

export function attachmentUrl(id: string): string {
  return `/api/attachments/${id}`;
}

type AdditionRow = { id: string; text: string | null; attachments: string[]; answersRequest: boolean; createdAt: Date };
type VersionRow = { version: number; content: Record<string, unknown>; replacedAt: Date };

/** `requests`: the open requests for more information by incident (feedback.ts), when the caller read them. */
export function reportView(r: ReportRow, requests?: Map<string, InfoRequest>) {
  // Rows fresh from intake's statement carry neither (nothing was added, no incident yet).
  const additions = (r.additions as AdditionRow[] | undefined) ?? [];
  const versions = (r.versions as VersionRow[] | undefined) ?? [];
  const incidentState = (r.incident as { state: string } | null | undefined)?.state ?? null;
  return {
    id: r.id,
    clientId: r.clientId,
    observerId: r.observerId,
    source: r.source,
    observedAt: r.observedAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    lat: r.lat,
    lon: r.lon,
    accuracyM: r.accuracyM,
    placeName: r.placeName,
    narrative: r.narrative,
    partyAlleged: r.partyAlleged,
    casualties: (r.casualties as Record<string, number> | null) ?? null,
    status: r.status,
    failureReason: r.failureReason,
    processedAt: r.processedAt?.toISOString() ?? null,
    language: r.language,
    resolvedPlace: r.resolvedPlace,
    resolvedLat: r.resolvedLat,
    resolvedLon: r.resolvedLon,
    flags: (r.flags as ReportFlag[] | null) ?? [],
    classification: classificationView(r.classification, r.correction),
    incidentId: r.incidentId,
    progress: observerProgress(r.status, incidentState),
    infoRequest: incidentState === 'needs_info' && r.incidentId ? (requests?.get(r.incidentId) ?? null) : null,
    additions: additions.map((a) => ({
      id: a.id,
      text: a.text,
      attachments: a.attachments,
      answersRequest: a.answersRequest,
      createdAt: a.createdAt.toISOString(),
    })),
    version: r.version,
    // What each earlier version said, as filed: the observer edited the report since (ODK Collect).
    versions: versions.map((v) => ({
      version: v.version,
      replacedAt: v.replacedAt.toISOString(),
      // Stored with the content fields' names and JSON values (reports/edits.ts).
      ...(v.content as Record<string, unknown>),
    })),
    assignment: r.incidentId ? assignmentView(r.assignmentScore, (r.assignmentReasons as string[] | null) ?? []) : null,
    attachments: r.attachments.map((a) => ({
      id: a.id,
      sha256: a.sha256,
      mime: a.mime,
      sizeBytes: a.sizeBytes,
      originalName: a.originalName,
      exifTakenAt: a.exifTakenAt?.toISOString() ?? null,
      exifLat: a.exifLat,
      exifLon: a.exifLon,
      url: attachmentUrl(a.id),
    })),
  };
}

/** Dedup's score and reasons, with the names of the places the reasons cite by id (shown in the reader's script). */
function assignmentView(score: number | null, reasons: string[]) {
  return { score, reasons, places: placesInReasons(reasons, loadGazetteer(activeAgreement().gazetteer)) };
}
