// Builds features the way the worker does: classify → resolve place → extract features.
import { classifyReport } from '../../../src/classify/classifier.ts';
import { resolvePlace } from '../../../src/classify/places.ts';
import { extractFeatures, type ReportFeatures } from '../../../src/incidents/features.ts';

export interface ReportSpec {
  narrative: string;
  observedAt: string;
  lat?: number | null;
  lon?: number | null;
  placeName?: string | null;
  partyAlleged?: string | null;
  attachmentHashes?: string[];
}

export function makeFeatures(r: ReportSpec): ReportFeatures {
  const input = { narrative: r.narrative, placeName: r.placeName ?? null, partyAlleged: r.partyAlleged ?? null };
  const c = classifyReport(input, 'libya-2020');
  const place = resolvePlace({ lat: r.lat ?? null, lon: r.lon ?? null, placeName: r.placeName ?? null });
  return extractFeatures({ ...input, observedAt: r.observedAt, lat: r.lat ?? null, lon: r.lon ?? null, attachmentHashes: r.attachmentHashes }, c, place);
}
