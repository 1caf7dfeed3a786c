// The report an observer files: one schema for JSON bodies, multipart fields and OpenRosa submissions.
import { z } from 'zod';
import { activeAgreement, termIdsOf } from '../agreements/index.ts';
import { DayOrInstant, QueryBoolean, STANCES } from '../incidents/filters.ts';
import { ReportFlag } from './flags.ts';
import { PROGRESS } from './feedback.ts';

export const PARTIES = ['LAAF', 'GNA', 'foreign', 'unknown'] as const;
export const REPORT_STATUSES = ['received', 'processed', 'failed'] as const;
export const REPORT_SOURCES = ['web', 'openrosa', 'sms', 'api'] as const;
export const REPORT_SORTS = ['-received', '-observed'] as const;

const count = z.number().int().min(0).max(100_000);
// PostgreSQL text cannot hold NUL, and no observer types one: name the field instead of failing at the store.
// Text PostgreSQL cannot store as it was sent: a NUL, or half of a UTF-16 pair (a client that cut an emoji).
export const storable = (s: string) => !s.includes('\u0000') && s.isWellFormed();
export const STORABLE_REASON = 'contains a NUL character or broken Unicode (a lone surrogate)';

export const Casualties = z
  .object({
    killed: count.optional(),
    injured: count.optional(),
    missing: count.optional(),
    detained: count.optional(),
  })
  .strict()
  .meta({ id: 'Casualties', description: 'Counts reported by the observer; omit what is unknown.' });

export const ReportInput = z
  .object({
    clientId: z
      .string()
      .uuid()
      .meta({ description: 'UUID chosen by the device; retries reuse it (idempotency key per observer).' }),
    observedAt: z
      .string()
      .datetime({ offset: true })
      .meta({
        description:
          'When the incident was observed, ISO 8601 with offset. A time ahead of the receipt or in an implausible year ' +
          'is accepted: the inferred time is stored and the report flagged (see Report.flags).',
        example: '2020-11-14T05:40:00+02:00',
      }),
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
    accuracyM: z.number().min(0).max(1_000_000).optional(),
    placeName: z.string().trim().min(1).max(200).refine(storable, STORABLE_REASON).optional(),
    narrative: z
      .string()
      .trim()
      .min(1)
      .refine(storable, STORABLE_REASON)
      .meta({ description: 'English or Arabic free text.' }),
    partyAlleged: z.enum(PARTIES).default('unknown'),
    casualties: Casualties.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const hasLat = r.lat !== undefined;
    const hasLon = r.lon !== undefined;
    if (hasLat !== hasLon)
      ctx.addIssue({ code: 'custom', path: [hasLat ? 'lon' : 'lat'], message: 'lat and lon must be given together' });
    if (!hasLat && !hasLon && !r.placeName)
      ctx.addIssue({ code: 'custom', path: ['placeName'], message: 'give a position (lat/lon) or a placeName' });
    if (r.accuracyM !== undefined && !hasLat)
      ctx.addIssue({ code: 'custom', path: ['accuracyM'], message: 'accuracyM needs lat/lon' });
  })
  .meta({ id: 'ReportInput' });

export type ReportInput = z.infer<typeof ReportInput>;

/** What `POST /api/reports` takes as JSON: the report, and the finished resumable uploads it cites (src/uploads). */
export const ReportFiling = z
  .object({
    ...ReportInput.shape,
    uploadIds: z
      .array(z.string().uuid())
      .max(50)
      .optional()
      .meta({ description: 'finished uploads of POST /api/uploads, each usable by one report' }),
  })
  .meta({ id: 'ReportFiling' });

export const ClassificationView = z
  .object({
    terms: z.array(
      z.object({
        id: z.string(),
        confidence: z.number(),
        evidence: z.array(z.object({ start: z.number().int(), end: z.number().int(), text: z.string() })),
      }),
    ),
    stance: z.enum(['violation', 'compliance', 'information']),
    corrected: z.boolean().optional(),
  })
  .meta({ id: 'Classification' });

export const AttachmentView = z
  .object({
    id: z.string().uuid(),
    sha256: z.string(),
    mime: z.string(),
    sizeBytes: z.number().int(),
    originalName: z.string(),
    exifTakenAt: z.string().nullable(),
    exifLat: z.number().nullable(),
    exifLon: z.number().nullable(),
    url: z.string(),
  })
  .meta({ id: 'Attachment' });

/**
 * What an observer said in a report, as stored (the time aside, which each reader keeps as a Date or as text): the
 * report's latest version, an earlier one, a custody package's copy, the pipeline's input all carry these.
 */
export interface StoredContent {
  lat: number | null;
  lon: number | null;
  accuracyM: number | null;
  placeName: string | null;
  narrative: string;
  partyAlleged: string;
  casualties: unknown;
}

// What an observer said in one version of a report: the current one (the report) or an earlier one (its versions).
const ReportContent = z.object({
  observedAt: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  accuracyM: z.number().nullable(),
  placeName: z.string().nullable(),
  narrative: z.string(),
  partyAlleged: z.enum(PARTIES),
  casualties: Casualties.nullable(),
});

export const ReportView = z
  .object({
    id: z.string().uuid(),
    clientId: z.string().uuid(),
    observerId: z.string().meta({
      description:
        "The observer's account id for admins and the observer themself; for everyone else the observer's stable " +
        'pseudonym (observer-<16 hex>), the one observerName gives',
    }),
    source: z.enum(REPORT_SOURCES),
    ...ReportContent.shape,
    receivedAt: z.string(),
    status: z.enum(REPORT_STATUSES),
    failureReason: z.string().nullable(),
    language: z.string().nullable(),
    resolvedPlace: z.string().nullable(),
    flags: z
      .array(ReportFlag)
      .meta({ description: 'What the reviewer should check; the report was accepted as sent.' }),
    classification: ClassificationView.nullable(),
    incidentId: z.string().uuid().nullable(),
    progress: z.enum(PROGRESS).meta({ description: "Where the report stands, as the observer's app says it." }),
    infoRequest: z
      .object({ note: z.string().nullable(), at: z.string() })
      .nullable()
      .meta({ description: "The commission's open request for more information on the report's incident." }),
    additions: z.array(
      z.object({
        id: z.string().uuid(),
        text: z.string().nullable(),
        attachments: z.array(z.string()).meta({ description: 'SHA-256 of the files added with it.' }),
        answersRequest: z.boolean(),
        createdAt: z.string(),
      }),
    ),
    version: z.number().int().min(1).meta({
      description: 'Which version of the report this is: 1 as first filed, more after edits from ODK Collect.',
    }),
    versions: z
      .array(
        ReportContent.extend({
          version: z.number().int(),
          replacedAt: z.string().meta({ description: 'When the edit that replaced this version arrived.' }),
          flags: z.array(ReportFlag).meta({ description: "The version's flags when it was replaced." }),
        }),
      )
      .meta({ description: 'Earlier versions, oldest first, as they were filed before the observer edited them.' }),
    attachments: z.array(AttachmentView),
  })
  .meta({ id: 'Report' });

// The terms of the agreement this process runs: a term it does not have can match nothing, so it is a typing error.
export const ReportListItem = ReportView.extend({
  observerName: z
    .string()
    .nullable()
    .meta({
      description:
        "The observer's username for whoever may see observers' names (admins; an observer on their own reports), " +
        "else the observer's stable pseudonym (observer-<16 hex>, the custody packages' one).",
    }),
  observerNamed: z.boolean().meta({ description: '`false`: observerName is a pseudonym.' }),
  gazetteerPlace: z
    .object({ name: z.string(), nameAr: z.string() })
    .nullable()
    .meta({ description: "The report's place in the gazetteer, in English and Arabic (null: not a place it knows)." }),
}).meta({ id: 'ReportListItem' });

const AgreementTerm = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((v) => termIdsOf(activeAgreement()).includes(v), 'not a term of the agreement');

export const ReportListQuery = z
  .object({
    from: DayOrInstant.optional().meta({
      description: 'Observed at or after this instant (a date: the start of that day, Africa/Tripoli).',
    }),
    to: DayOrInstant.optional().meta({
      description: 'Observed before this instant (a date: that whole day included).',
    }),
    status: z.enum(REPORT_STATUSES).optional(),
    place: z.string().trim().min(1).max(200).optional().meta({
      description:
        'Substring of the typed or resolved place name (case-insensitive), in either script: a gazetteer place it names matches by its English and Arabic names.',
    }),
    bbox: z
      .string()
      .regex(/^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$/, 'minLon,minLat,maxLon,maxLat')
      .optional(),
    observerId: z
      .string()
      .regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|observer-[0-9a-f]{16})$/i)
      .optional()
      .meta({
        description:
          "One observer's reports: the observerId the list shows (an account id for admins, else the pseudonym).",
      }),
    observer: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .meta({
        description:
          "Part of the observer's username (case-insensitive) for whoever may see observers' names (admins); for " +
          'everyone else, part of the pseudonym the list shows (a username matches nothing then).',
      }),
    term: AgreementTerm.optional().meta({ description: 'A term id of the agreement the report is about.' }),
    stance: z.enum(STANCES).optional(),
    flagged: QueryBoolean.optional().meta({
      description: '`true`: only reports with a doubt for the reviewer (Report.flags); `false`: only without.',
    }),
    language: z.enum(['en', 'ar']).optional(),
    source: z
      .enum(REPORT_SOURCES)
      .optional()
      .meta({ description: 'How the report came in: web, openrosa (ODK), sms, api.' }),
    sort: z.enum(REPORT_SORTS).default('-received').meta({
      description: '`-received`: newest received first (the default); `-observed`: newest observed first.',
    }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional().meta({
      description: 'Opaque cursor from the previous page (same filters and sort; one of the other sort is a 400).',
    }),
  })
  .strict()
  .meta({ id: 'ReportListQuery' });
export type ReportListQuery = z.infer<typeof ReportListQuery>;

/** A commission member's correction of a report's terms and stance (the terms are checked against the agreement's). */
export const ClassificationCorrection = z
  .object({
    terms: z.array(z.string()).min(1).max(20),
    stance: z.enum(['violation', 'compliance', 'information']),
    note: z.string().trim().max(2000).optional(),
  })
  .strict()
  .meta({ id: 'ClassificationCorrection' });
