// What a custody package says, as JSON (manifest.json): the incident, each report with its receipt time, observer
// (pseudonymised unless the requester may see names) and files (SHA-256, EXIF), every audit row touching the incident
// with its place in the chain, and the chain's head when the package was made. signature.json signs these bytes.
import type { StoredContent } from '../reports/schema.ts';

export const CUSTODY_FORMAT = 'ceasefire-custody/1';

export interface ManifestFile {
  /** Path inside the zip; absent when the file is no longer in storage (see `stored`). */
  path: string | null;
  sha256: string;
  sizeBytes: number;
  mime: string;
  originalName: string;
  receivedAt: string;
  stored: boolean;
  exif: { takenAt: string | null; lat: number | null; lon: number | null; tags: Record<string, unknown> | null };
}

export type ManifestObserver = { pseudonym: string } | { id: string; username: string; displayName: string | null };

export interface ManifestReport extends StoredContent {
  id: string;
  observer: ManifestObserver;
  source: string;
  receivedAt: string;
  observedAt: string;
  /** SHA-256 of the content as submitted (src/reports/content-hash.ts), taken at receipt. */
  contentHash: string;
  files: ManifestFile[];
  /** 1 as first filed; more once the observer edited the report from ODK Collect (the fields above are the latest). */
  version: number;
  /** The versions the observer's edits replaced, oldest first, each as filed with the hash it was bound to. */
  versions: ManifestReportVersion[];
}

/** An earlier version of a report: its fields as filed, the instance it was sent as and when an edit replaced it. */
export interface ManifestReportVersion extends StoredContent {
  version: number;
  instanceId: string;
  /** SHA-256 of this version's content as submitted (src/reports/content-hash.ts). */
  contentHash: string;
  replacedAt: string;
  observedAt: string;
}

/** A report erased while it belonged to the incident: its tombstone (the erasure's audit row is in `audit`). */
export interface ManifestErasedReport {
  id: string;
  observer: ManifestObserver;
  receivedAt: string;
  observedAt: string;
  contentHash: string;
  erasedAt: string;
  trigger: string;
  reason: string;
  files: Array<{ sha256: string; sizeBytes: number; mime: string }>;
}

export interface ManifestAuditRow {
  seq: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
  hash: string;
  /** Fields replaced by a pseudonym: the row's hash can then not be recomputed from the package alone. */
  redacted?: string[];
}

export interface CustodyManifest {
  format: typeof CUSTODY_FORMAT;
  createdAt: string;
  requester: { username: string; role: string };
  observers: 'named' | 'pseudonymised';
  incident: Record<string, unknown> & { id: string };
  /** Incidents merged into this one (their audit rows are included). */
  mergedFrom: string[];
  reports: ManifestReport[];
  erased: ManifestErasedReport[];
  audit: { rows: ManifestAuditRow[]; anchor: { seq: string; hash: string } | null };
}

export interface CustodySignature {
  algorithm: 'Ed25519';
  /** SHA-256 of manifest.json's bytes as signed. */
  manifestSha256: string;
  publicKey: string;
  publicKeyFingerprint: string;
  /** Base64 Ed25519 signature of manifest.json's bytes. */
  signature: string;
}

export const MANIFEST_NAME = 'manifest.json';
export const SIGNATURE_NAME = 'signature.json';
