// Shapes the pipeline passes between its steps. The analyzer (classification, place, features, dedup
// decision) is a dependency so that the worker, the eval command and tests run the same steps.
import type { Assignment, CandidateQuery, IncidentCandidateStore } from '../dedup/dedup.ts';
import type { ReportFeatures } from '../dedup/features.ts';
import type { ReportFlag } from '../reports/flags.ts';
import type { StoredContent } from '../reports/schema.ts';

export type Stance = 'violation' | 'compliance' | 'information';

export interface ReportForProcessing extends StoredContent {
  id: string;
  contentHash: string;
  observedAt: Date;
  status: 'received' | 'processed' | 'failed';
  inputHash: string | null;
  correction: unknown;
  classification: unknown;
  terms: string[];
  stance: Stance | null;
  incidentId: string | null;
  incidentPinned: boolean;
  attachmentHashes: string[];
  /** Perceptual hashes of its photos (those computed and decodable). */
  photoHashes: string[];
}

export interface AutoClassification {
  terms: Array<{ id: string; confidence: number; evidence: Array<{ start: number; end: number; text: string }> }>;
  stance: Stance;
  [extra: string]: unknown;
}

export interface Analysis {
  language: string;
  normalizedText: string;
  classification: AutoClassification;
  place: { key: string | null; name: string | null; lat: number | null; lon: number | null };
  geoCell: string | null;
  /** The blocking query: its cells are also locked while the report is assigned. */
  query: CandidateQuery;
  features: ReportFeatures;
  /** Doubts about the position for the reviewer (classify/position.ts); they replace the pipeline's earlier ones. */
  flags: ReportFlag[];
}

export type { Assignment };

export interface Analyzer {
  /** Changes when classification or dedup changes meaning, so stored results are recomputed. */
  version: string;
  analyze(report: ReportForProcessing): Analysis;
  assign(features: ReportFeatures, query: CandidateQuery, store: IncidentCandidateStore): Promise<Assignment>;
}
