// The content a clientId is bound to. A retry must carry the same content; the hash is over the
// submitted fields in a canonical form (instant, not the offset the device happened to use).
import { createHash } from 'node:crypto';
import type { ReportInput } from './schema.ts';

export function canonicalReport(r: ReportInput): string {
  const casualties = r.casualties
    ? Object.fromEntries(
        Object.entries(r.casualties)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => a.localeCompare(b)),
      )
    : null;
  return JSON.stringify([
    new Date(r.observedAt).toISOString(),
    r.lat ?? null,
    r.lon ?? null,
    r.accuracyM ?? null,
    r.placeName ?? null,
    r.narrative,
    r.partyAlleged,
    casualties,
  ]);
}

export function reportContentHash(r: ReportInput): string {
  return createHash('sha256').update(canonicalReport(r)).digest('hex');
}
