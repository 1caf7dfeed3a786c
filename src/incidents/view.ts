// Presents incident rows as the API's IncidentSummary, and the zod shapes the OpenAPI document shows.
import { z } from 'zod';
import { activeAgreement } from '../agreements/index.ts';
import { reviewThresholdOf } from '../classify/model/index.ts';
import { INCIDENT_STATES, STANCES } from './filters.ts';
import { bothScripts, loadGazetteer } from '../classify/places.ts';

/** The Arabic name of a place the gazetteer knows, for the Arabic pages (null for a name it does not know). */
export const placeNameAr = (name: string | null): string | null =>
  bothScripts(name, loadGazetteer(activeAgreement().gazetteer))?.nameAr ?? null;

export const summarySelect = {
  id: true,
  state: true,
  terms: true,
  stance: true,
  parties: true,
  confidence: true,
  severity: true,
  lat: true,
  lon: true,
  placeName: true,
  firstObservedAt: true,
  lastObservedAt: true,
  reportCount: true,
  languages: true,
  summary: true,
  correction: true,
  assigneeId: true,
  assignee: { select: { id: true, username: true } },
} as const;

export interface SummaryRow {
  id: string;
  state: string;
  terms: string[];
  stance: string | null;
  parties: string[];
  confidence: number | null;
  severity: number;
  lat: number | null;
  lon: number | null;
  placeName: string | null;
  firstObservedAt: Date;
  lastObservedAt: Date;
  reportCount: number;
  languages: string[];
  summary: string | null;
  correction: unknown;
  assignee: { id: string; username: string } | null;
}

/**
 * An incident whose automatic reading the model is unsure of (its calibrated confidence under the review threshold)
 * and that no reviewer has corrected yet: the queue marks it for a human instead of showing a confident label.
 */
export function needsReview(i: Pick<SummaryRow, 'confidence' | 'correction'>): boolean {
  const threshold = reviewThresholdOf(activeAgreement().id);
  const corrected = i.correction !== null && i.correction !== undefined;
  return threshold !== null && !corrected && i.confidence !== null && i.confidence < threshold;
}

export function incidentSummary(i: SummaryRow) {
  return {
    id: i.id,
    state: i.state as (typeof INCIDENT_STATES)[number],
    assignee: i.assignee ? { id: i.assignee.id, username: i.assignee.username } : null,
    terms: i.terms,
    stance: i.stance as (typeof STANCES)[number] | null,
    parties: i.parties,
    confidence: i.confidence,
    severity: i.severity,
    lat: i.lat,
    lon: i.lon,
    placeName: i.placeName,
    placeNameAr: placeNameAr(i.placeName),
    firstObservedAt: i.firstObservedAt.toISOString(),
    lastObservedAt: i.lastObservedAt.toISOString(),
    reportCount: i.reportCount,
    languages: i.languages,
    summary: i.summary,
    corrected: i.correction !== null && i.correction !== undefined,
    needsReview: needsReview(i),
  };
}

export const IncidentSummary = z
  .object({
    id: z.string().uuid(),
    state: z.enum(INCIDENT_STATES),
    assignee: z.object({ id: z.string().uuid(), username: z.string() }).nullable(),
    terms: z.array(z.string()),
    stance: z.enum(STANCES).nullable(),
    parties: z.array(z.string()),
    confidence: z.number().nullable(),
    severity: z.number().int(),
    lat: z.number().nullable(),
    lon: z.number().nullable(),
    placeName: z.string().nullable(),
    placeNameAr: z.string().nullable().meta({ description: "The place's Arabic name when the gazetteer knows it" }),
    firstObservedAt: z.string(),
    lastObservedAt: z.string(),
    reportCount: z.number().int(),
    languages: z.array(z.string()),
    summary: z.string().nullable(),
    corrected: z.boolean(),
    needsReview: z.boolean().meta({
      description:
        'The model is unsure of the automatic terms or stance and no reviewer has corrected them: check them.',
    }),

    newSinceVerified: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Reports received since the incident was last verified (queue and incident page)' }),
  })
  .meta({ id: 'IncidentSummary' });

export const StateCounts = z
  .object(
    Object.fromEntries(INCIDENT_STATES.map((s) => [s, z.number().int()])) as Record<
      (typeof INCIDENT_STATES)[number],
      z.ZodNumber
    >,
  )
  .meta({ id: 'IncidentStateCounts' });

export const IncidentPage = z
  .object({
    items: z.array(IncidentSummary),
    nextCursor: z.string().nullable(),
    counts: StateCounts,
  })
  .meta({ id: 'IncidentPage' });
