// The Report table's one data-access module (with the Attachment rows written beside each report): every query and
// statement on reports lives here, and no business rule does. Intake's group commit, the pipeline's reads and writes
// (raw SQL on a SqlTx, so they also run on the worker's plain node-postgres transaction), the commission's reads,
// exports and digest counts call these.
import { Prisma, type Db, type SqlTx, type Tx } from '../db/client.ts';
import { REPORT_RECEIVED } from '../queue/names.ts';
import type { PreparedAttachment } from '../attachments/prepare.ts';
import type { Analysis, Assignment, ReportForProcessing } from '../pipeline/types.ts';
import type { Effective } from '../pipeline/effective.ts';
import type { ReportInput, StoredContent } from './schema.ts';
import { PIPELINE_FLAG_FIELDS, type JudgedTime } from './flags.ts';
const include = {
  attachments: { orderBy: [{ createdAt: 'asc' as const }, { originalName: 'asc' as const }] },
  // What the observer added after sending, and where the commission's review stands (the observer's feedback).
  additions: { orderBy: [{ createdAt: 'asc' as const }, { id: 'asc' as const }] },
  // The versions an observer's edits replaced (ODK Collect), oldest first.
  versions: { orderBy: { version: 'asc' as const } },
  incident: { select: { state: true } },
};

export async function getReportRow(db: Db, id: string) {
  return db.report.findUnique({ where: { id }, include });
}
export type ReportRow = NonNullable<Awaited<ReturnType<typeof getReportRow>>>;

/** Up to `take` reports `where` selects, in `orderBy` (the reports table and its keyset pages). */
export async function findReportPage(
  db: Db,
  where: Prisma.ReportWhereInput,
  orderBy: Prisma.ReportOrderByWithRelationInput[],
  take: number,
) {
  return db.report.findMany({ where, orderBy, take, include });
}

/** What a webhook says about a received report (src/webhooks/events.ts); null for an id that names none. */
export async function findReportForEvent(db: Db, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return db.report.findUnique({
    where: { id },
    select: {
      id: true,
      source: true,
      observedAt: true,
      receivedAt: true,
      placeName: true,
      lat: true,
      lon: true,
      partyAlleged: true,
      _count: { select: { attachments: true } },
    },
  });
}

/** Reports waiting for processing (and the oldest one's arrival) and failed ones, for the metrics. */
export async function processingBacklog(
  db: Db,
): Promise<{ unprocessed: number; oldestReceivedAt: Date | null; failed: number }> {
  const [row] = await db.$queryRaw<Array<{ unprocessed: number; oldestReceivedAt: Date | null; failed: number }>>`
    SELECT count(*) FILTER (WHERE "status" = 'received')::int AS unprocessed,
           min("receivedAt") FILTER (WHERE "status" = 'received') AS "oldestReceivedAt",
           count(*) FILTER (WHERE "status" = 'failed')::int AS failed
    FROM "Report" WHERE "status" IN ('received', 'failed')`;
  return row ?? { unprocessed: 0, oldestReceivedAt: null, failed: 0 };
}

/** The id and content hash a clientId of this observer is stored under (a retry is compared with it). */
export async function findByClientId(db: Db, observerId: string, clientId: string) {
  return db.report.findUnique({
    where: { observerId_clientId: { observerId, clientId } },
    select: { id: true, contentHash: true },
  });
}

// --- Intake: the group commit's statement, and evidence a retry brings.

export type ReportSource = 'api' | 'web' | 'openrosa' | 'sms';

export interface NewReport {
  observerId: string;
  input: ReportInput;
  contentHash: string;
  attachments: PreparedAttachment[];
  source: ReportSource;
  /** What intake judged (reports/flags.ts): the observedAt to store and the flags for the reviewer. */
  judged?: JudgedTime;
}

/** The key a written row is returned under: its observer and clientId. */
export const reportKey = (observerId: string, clientId: string) => `${observerId}/${clientId}`;

function attachmentRecords(attachments: PreparedAttachment[]) {
  return attachments.map((a) => ({
    sha256: a.sha256,
    mime: a.mime,
    size: a.sizeBytes,
    name: a.originalName,
    taken: a.exif.takenAt?.toISOString() ?? null,
    lat: a.exif.lat,
    lon: a.exif.lon,
  }));
}

function inputRecord(r: NewReport) {
  const i = r.input;
  return {
    clientId: i.clientId,
    observerId: r.observerId,
    source: r.source,
    contentHash: r.contentHash,
    observedAt: r.judged?.observedAt ?? i.observedAt,
    flags: r.judged?.flags ?? [],
    lat: i.lat ?? null,
    lon: i.lon ?? null,
    accuracyM: i.accuracyM ?? null,
    placeName: i.placeName ?? null,
    narrative: i.narrative,
    partyAlleged: i.partyAlleged,
    casualties: i.casualties ?? null,
    attachments: attachmentRecords(r.attachments),
  };
}

// An attachment row as both statements below write it, from the JSON of attachmentRecords().
const ATTACHMENT_COLUMNS = Prisma.raw(
  '"Attachment" ("reportId", "sha256", "mime", "sizeBytes", "originalName", "exifTakenAt", "exifLat", "exifLon")',
);
const ATTACHMENT_RECORD = Prisma.raw(
  'a(sha256 text, mime text, size int, name text, taken timestamptz, lat float8, lon float8)',
);
const ATTACHMENT_VALUES = Prisma.raw('a.sha256, a.mime, a.size, a.name, a.taken, a.lat, a.lon');

type InsertedRow = Omit<ReportRow, 'attachments'> & { attachments: Array<Record<string, unknown>> };

/**
 * One statement: the reports (a conflict on observer + clientId inserts nothing), their attachment rows and
 * one outbox row each. It returns the stored rows with their attachments, so no 201 needs a second read.
 */
export async function insertReports(db: Db, reports: NewReport[]): Promise<Map<string, ReportRow>> {
  const input = JSON.stringify(reports.map(inputRecord));
  const rows = await db.$queryRaw<InsertedRow[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS r(
        "clientId" uuid, "observerId" uuid, "source" "ReportSource", "contentHash" text, "observedAt" timestamptz,
        "lat" float8, "lon" float8, "accuracyM" float8, "placeName" text, "narrative" text, "partyAlleged" "Party",
        "casualties" jsonb, "attachments" jsonb, "flags" jsonb)
    ), ins AS (
      INSERT INTO "Report" ("clientId", "observerId", "source", "contentHash", "observedAt", "lat", "lon", "accuracyM",
                            "placeName", "narrative", "partyAlleged", "casualties", "flags")
      SELECT "clientId", "observerId", "source", "contentHash", "observedAt", "lat", "lon", "accuracyM",
             "placeName", "narrative", "partyAlleged", NULLIF("casualties", 'null'::jsonb), "flags"
      FROM input ORDER BY "observerId", "clientId"
      ON CONFLICT ("observerId", "clientId") DO NOTHING
      RETURNING *
    ), att AS (
      INSERT INTO ${ATTACHMENT_COLUMNS}
      SELECT ins.id, ${ATTACHMENT_VALUES}
      FROM ins JOIN input USING ("observerId", "clientId"), jsonb_to_recordset(input.attachments) AS ${ATTACHMENT_RECORD}
      ON CONFLICT DO NOTHING
      RETURNING *
    ), job AS (
      INSERT INTO "OutboxEvent" ("topic", "payload")
      SELECT ${REPORT_RECEIVED}, jsonb_build_object('reportId', ins.id) FROM ins ORDER BY ins.id
    )
    SELECT ins.*, COALESCE((SELECT json_agg(att ORDER BY att."createdAt", att."originalName") FROM att WHERE att."reportId" = ins.id), '[]'::json) AS attachments
    FROM ins`;
  // json_agg carries timestamps as text; the row type (and reportView) expects Dates.
  const toDate = (v: unknown) => (v == null ? null : new Date(v as string));
  const out = new Map<string, ReportRow>();
  for (const row of rows) {
    out.set(reportKey(row.observerId, row.clientId), {
      ...row,
      attachments: row.attachments.map((a) => ({
        ...a,
        createdAt: toDate(a.createdAt),
        exifTakenAt: toDate(a.exifTakenAt),
      })) as ReportRow['attachments'],
    } as ReportRow);
  }
  return out;
}

/**
 * Evidence a retry brings that the first attempt lost on the way (ODK resends to complete attachments): the
 * attachment rows not stored yet, and a processing job when there was any.
 */
export async function addAttachments(db: SqlTx, reportId: string, attachments: PreparedAttachment[]): Promise<void> {
  await db.$executeRaw`
    WITH att AS (
      INSERT INTO ${ATTACHMENT_COLUMNS}
      SELECT ${reportId}::uuid, ${ATTACHMENT_VALUES}
      FROM jsonb_to_recordset(${JSON.stringify(attachmentRecords(attachments))}::jsonb) AS ${ATTACHMENT_RECORD}
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    INSERT INTO "OutboxEvent" ("topic", "payload")
    SELECT ${REPORT_RECEIVED}, jsonb_build_object('reportId', ${reportId}::text) WHERE EXISTS (SELECT 1 FROM att)`;
}

// --- Edits: an observer's new version of a sent report (src/reports/edits.ts).

export interface CurrentVersion extends StoredContent {
  id: string;
  clientId: string;
  versionInstanceId: string | null;
  version: number;
  contentHash: string;
  observedAt: Date;
  flags: unknown;
  incidentId: string | null;
}

/** The report's current version, locked: two deliveries of one edit, or two edits, queue here. */
export async function lockCurrentVersion(tx: Tx, reportId: string): Promise<CurrentVersion | undefined> {
  const [row] = await tx.$queryRaw<CurrentVersion[]>`
    SELECT id::text, "clientId"::text AS "clientId", "versionInstanceId"::text AS "versionInstanceId", version,
           "contentHash", "observedAt", lat, lon, "accuracyM", "placeName", narrative, "partyAlleged"::text AS "partyAlleged",
           casualties, flags, "incidentId"::text AS "incidentId"
    FROM "Report" WHERE id = ${reportId}::uuid FOR UPDATE`;
  return row;
}

/** The report row takes an edit's content as its new version, to be processed; the pipeline's results stay until then. */
export async function writeEditedReport(
  tx: Tx,
  reportId: string,
  e: { input: ReportInput; contentHash: string; judged: JudgedTime; version: number; instanceId: string },
): Promise<void> {
  const i = e.input;
  await tx.$executeRaw`UPDATE "Report" SET "contentHash" = ${e.contentHash}, "observedAt" = ${new Date(e.judged.observedAt)},
    "lat" = ${i.lat ?? null}::float8, "lon" = ${i.lon ?? null}::float8, "accuracyM" = ${i.accuracyM ?? null}::float8,
    "placeName" = ${i.placeName ?? null}, "narrative" = ${i.narrative}, "partyAlleged" = ${i.partyAlleged}::"Party",
    "casualties" = ${i.casualties ? JSON.stringify(i.casualties) : null}::jsonb,
    -- Intake's own flags for the new content; the pipeline adds the position's when it processes the version.
    "flags" = ${JSON.stringify(e.judged.flags)}::jsonb,
    "version" = ${e.version}, "versionInstanceId" = ${e.instanceId}::uuid,
    -- The new content waits for processing as any received report does (the backlog counts it, the observer reads
    -- "received"); the earlier results stay until then, and a failure of its processing shows as one.
    "status" = 'received', "failureReason" = NULL
    WHERE "id" = ${reportId}::uuid`;
}

/**
 * Locks the report (evidence retries racing each other queue here) and reads, after the lock, its incident's state
 * and the hashes of the files it has.
 */
export async function lockForEvidence(
  tx: Tx,
  reportId: string,
): Promise<
  | { state: string | null; incidentId: string | null; assigneeId: string | null; observerId: string; stored: string[] }
  | undefined
> {
  // Lock first, read after: in READ COMMITTED the read then sees what a retry holding the lock committed.
  await tx.$executeRaw`SELECT 1 FROM "Report" WHERE id = ${reportId}::uuid FOR UPDATE`;
  const [row] = await tx.$queryRaw<
    Array<{
      state: string | null;
      incidentId: string | null;
      assigneeId: string | null;
      observerId: string;
      stored: string[];
    }>
  >`
    SELECT i.state::text AS state, r."incidentId"::text AS "incidentId", i."assigneeId"::text AS "assigneeId",
           r."observerId"::text AS "observerId",
           COALESCE((SELECT array_agg(a.sha256) FROM "Attachment" a WHERE a."reportId" = r.id), '{}') AS stored
    FROM "Report" r LEFT JOIN "Incident" i ON i.id = r."incidentId"
    WHERE r.id = ${reportId}::uuid`;
  return row;
}

/** A report's author and incident now (read without a lock: the caller locks the incident, then the report). */
export async function ownerAndIncident(db: Tx, reportId: string) {
  return db.report.findUnique({ where: { id: reportId }, select: { observerId: true, incidentId: true } });
}

export async function insertAddition(
  tx: Tx,
  a: {
    reportId: string;
    authorId: string;
    text: string | null;
    attachments: string[];
    answersRequest: boolean;
    clientId: string | null;
  },
) {
  return tx.reportAddition.create({ data: a });
}

export async function findAddition(db: Tx, authorId: string, clientId: string) {
  return db.reportAddition.findUnique({ where: { authorId_clientId: { authorId, clientId } } });
}

// --- Processing (the pipeline): reads of many reports at once, the results of a run.

/** Whether the incident has a member other than this report. */
export async function otherReportInIncident(tx: SqlTx, incidentId: string, reportId: string): Promise<boolean> {
  const [other] = await tx.$queryRaw<
    unknown[]
  >`SELECT 1 FROM "Report" WHERE "incidentId" = ${incidentId}::uuid AND "id" <> ${reportId}::uuid LIMIT 1`;
  return !!other;
}

// Locking reads take the rows in id order, so two runs sharing reports queue instead of deadlocking.
export async function loadReportsForProcessing(
  db: SqlTx,
  ids: string[],
  opts: { forUpdate?: boolean } = {},
): Promise<Map<string, ReportForProcessing>> {
  if (!ids.length) return new Map();
  const rows = opts.forUpdate
    ? await db.$queryRaw<
        ReportForProcessing[]
      >`SELECT ${SELECT_LIST} FROM "Report" r WHERE r."id" = ANY(${ids}::uuid[]) ORDER BY r."id" FOR UPDATE OF r`
    : await db.$queryRaw<
        ReportForProcessing[]
      >`SELECT ${SELECT_LIST} FROM "Report" r WHERE r."id" = ANY(${ids}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r]));
}

// The column list, shared by the plain and the locking read.
const SELECT_LIST = Prisma.raw(`r."id", r."contentHash", r."observedAt", r."lat", r."lon", r."accuracyM", r."placeName",
  r."narrative", r."partyAlleged"::text AS "partyAlleged", r."casualties", r."status"::text AS status, r."inputHash",
  r."correction", r."classification", r."terms", r."stance"::text AS stance, r."incidentId", r."incidentPinned",
  ARRAY(SELECT a."sha256"::text FROM "Attachment" a WHERE a."reportId" = r."id" ORDER BY a."sha256") AS "attachmentHashes",
  ARRAY(SELECT DISTINCT a."phash"::text FROM "Attachment" a WHERE a."reportId" = r."id" AND a."phash" <> '') AS "photoHashes"`);

export interface ReportResult {
  inputHash: string;
  analysis: Analysis;
  effective: Effective;
  incidentId: string;
  /** Null when a reviewer pinned the report: their placement, score and reasons stay as they are. */
  assignment: Assignment | null;
  attempt: number;
  now: Date;
}

// The flags intake set (the time, an edit's version), kept when the pipeline writes its own (the position and place,
// PIPELINE_FLAG_FIELDS) in their place: every flag but the pipeline's own is intake's.
const PIPELINE_FIELDS_SQL = PIPELINE_FLAG_FIELDS.map((f) => `'${f}'`).join(', ');
const intakeFlags = (row: string) =>
  Prisma.raw(
    `COALESCE((SELECT jsonb_agg(f) FROM jsonb_array_elements(${row}."flags") f WHERE f->>'field' NOT IN (${PIPELINE_FIELDS_SQL})), '[]'::jsonb)`,
  );

export async function writeReportResult(tx: SqlTx, reportId: string, r: ReportResult): Promise<void> {
  const a = r.analysis;
  const json = (v: unknown) => JSON.stringify(v ?? null);
  const keep = r.assignment === null;
  await tx.$executeRaw`UPDATE "Report" SET "status" = 'processed', "failureReason" = NULL, "processedAt" = ${r.now},
    "attempts" = GREATEST("attempts", ${r.attempt}), "inputHash" = ${r.inputHash}, "language" = ${a.language},
    "normalizedText" = ${a.normalizedText}, "resolvedPlace" = ${a.place.name}, "resolvedLat" = ${a.place.lat},
    "resolvedLon" = ${a.place.lon}, "geoCell" = ${a.geoCell}, "placeKey" = ${a.place.key}, "features" = ${json(a.features)}::jsonb,
    "classification" = ${json(a.classification)}::jsonb, "terms" = ${r.effective.terms}::text[],
    "flags" = ${intakeFlags('"Report"')} || ${json(a.flags ?? [])}::jsonb,
    "stance" = ${r.effective.stance}::"Stance", "confidence" = ${r.effective.confidence}, "incidentId" = ${r.incidentId}::uuid,
    "assignmentScore" = CASE WHEN ${keep} THEN "assignmentScore" ELSE ${r.assignment?.score ?? null}::float8 END,
    "assignmentReasons" = CASE WHEN ${keep} THEN "assignmentReasons" ELSE ${json(r.assignment?.reasons)}::jsonb END
    WHERE "id" = ${reportId}::uuid`;
}

/** A correction changed what the report says: its effective columns and the features dedup compares follow. */
export async function writeEffective(tx: SqlTx, reportId: string, e: Effective): Promise<void> {
  const sorted = [...e.terms].sort();
  await tx.$executeRaw`UPDATE "Report" SET "terms" = ${e.terms}::text[], "stance" = ${e.stance}::"Stance", "confidence" = ${e.confidence},
    "features" = CASE WHEN "features" IS NULL OR ${e.stance}::text IS NULL THEN "features"
      ELSE "features" || jsonb_build_object('terms', to_jsonb(${sorted}::text[]), 'stance', ${e.stance}::text) END
    WHERE "id" = ${reportId}::uuid`;
}

/** After the last retry: the report shows why it failed. One that was processed before keeps its results. */
export async function markReportFailed(db: SqlTx, reportId: string, reason: string, attempt: number): Promise<void> {
  await db.$executeRaw`UPDATE "Report" SET "failureReason" = ${reason.slice(0, 2000)}, "attempts" = GREATEST("attempts", ${attempt}),
    "status" = CASE WHEN "status" = 'processed' THEN "status" ELSE 'failed'::"ReportStatus" END
    WHERE "id" = ${reportId}::uuid`;
}

/** One report of a batch as processed: what writeReportResults stores for it. */
export interface ProcessedReport {
  report: { id: string };
  attempt: number;
  inputHash: string;
  analysis: Analysis;
  effective: Effective;
  assignment?: Assignment;
  incidentId?: string;
}

/** Every processed report's results in one statement (the same columns writeReportResult sets). */
export async function writeReportResults(tx: SqlTx, fresh: ProcessedReport[], now: Date): Promise<void> {
  const list = JSON.stringify(
    fresh.map((f) => {
      const a = f.analysis;
      return {
        id: f.report.id,
        attempt: f.attempt,
        inputHash: f.inputHash,
        language: a.language,
        normalizedText: a.normalizedText,
        resolvedPlace: a.place.name,
        resolvedLat: a.place.lat,
        resolvedLon: a.place.lon,
        geoCell: a.geoCell,
        placeKey: a.place.key,
        features: a.features ?? null,
        classification: a.classification ?? null,
        terms: f.effective.terms,
        stance: f.effective.stance,
        confidence: f.effective.confidence,
        incidentId: f.incidentId,
        score: f.assignment!.score,
        reasons: f.assignment!.reasons ?? null,
        flags: a.flags ?? [],
      };
    }),
  );
  await tx.$executeRaw`UPDATE "Report" r SET "status" = 'processed', "failureReason" = NULL, "processedAt" = ${now},
    "attempts" = GREATEST(r."attempts", v.attempt), "inputHash" = v."inputHash", "language" = v.language,
    "normalizedText" = v."normalizedText", "resolvedPlace" = v."resolvedPlace", "resolvedLat" = v."resolvedLat",
    "resolvedLon" = v."resolvedLon", "geoCell" = v."geoCell", "placeKey" = v."placeKey", "features" = v.features,
    "classification" = v.classification, "terms" = v.terms, "stance" = v.stance::"Stance", "confidence" = v.confidence,
    "incidentId" = v."incidentId", "assignmentScore" = v.score, "assignmentReasons" = v.reasons,
    "flags" = ${intakeFlags('r')} || v.flags
    FROM jsonb_to_recordset(${list}::jsonb) AS v(id uuid, attempt int, "inputHash" text, language text, "normalizedText" text,
      "resolvedPlace" text, "resolvedLat" float8, "resolvedLon" float8, "geoCell" text, "placeKey" text, features jsonb,
      classification jsonb, terms text[], stance text, confidence float8, "incidentId" uuid, score float8, reasons jsonb,
      flags jsonb)
    WHERE r."id" = v.id`;
}

// --- Incidents' members: the incident page, a reviewer's merge and split, exports and digests.

/** Up to `take` reports of an incident in observed order (observedAt, id) after `after`, with their attachments. */
export async function reportsOfIncidentPage(
  db: Db,
  incidentId: string,
  after: { observedAt: Date; id: string } | null,
  take: number,
) {
  return db.report.findMany({
    where: {
      incidentId,
      ...(after
        ? { OR: [{ observedAt: { gt: after.observedAt } }, { observedAt: after.observedAt, id: { gt: after.id } }] }
        : {}),
    },
    orderBy: [{ observedAt: 'asc' }, { id: 'asc' }],
    take,
    include,
  });
}

/**
 * Moves every report of `fromId` into `toId`; their ids, sorted. `pin`: a reviewer's merge pins them there (automatic
 * dedup leaves them be); dedup's own merge keeps each report's pin as it was, so a rerun may reconsider what no human
 * decided.
 */
export async function moveAllReports(tx: SqlTx, fromId: string, toId: string, pin = true): Promise<string[]> {
  const moved = await tx.$queryRaw<Array<{ id: string }>>`
    UPDATE "Report" SET "incidentId" = ${toId}::uuid, "incidentPinned" = "incidentPinned" OR ${pin}
    WHERE "incidentId" = ${fromId}::uuid RETURNING "id"::text AS id`;
  return moved.map((r) => r.id).sort();
}

export async function findReportsForSplit(tx: Tx, ids: string[]) {
  return tx.report.findMany({ where: { id: { in: ids } }, select: { id: true, incidentId: true, observedAt: true } });
}

export async function countReportsOfIncident(tx: Tx, incidentId: string): Promise<number> {
  return tx.report.count({ where: { incidentId } });
}

/** Moves the given reports into `toId`, pinned there. */
export async function moveReports(tx: Tx, ids: string[], toId: string): Promise<void> {
  await tx.report.updateMany({ where: { id: { in: ids } }, data: { incidentId: toId, incidentPinned: true } });
}

const exportSelect = {
  id: true,
  incidentId: true,
  observerId: true,
  source: true,
  observedAt: true,
  receivedAt: true,
  lat: true,
  lon: true,
  accuracyM: true,
  placeName: true,
  resolvedPlace: true,
  resolvedLat: true,
  resolvedLon: true,
  narrative: true,
  partyAlleged: true,
  casualties: true,
  language: true,
  terms: true,
  stance: true,
  confidence: true,
  correction: true,
  version: true,
  incident: { select: { state: true } },
  _count: { select: { attachments: true } },
} as const;

export type ExportReport = Prisma.ReportGetPayload<{ select: typeof exportSelect }>;

/** One keyset batch of the reports behind the incidents `incidentWhere` selects, in id order after `afterId`. */
export async function exportReportBatch(
  db: Db,
  incidentWhere: Prisma.IncidentWhereInput,
  afterId: string | null,
  take: number,
): Promise<ExportReport[]> {
  const where: Prisma.ReportWhereInput = { incident: incidentWhere };
  return db.report.findMany({
    where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where,
    orderBy: { id: 'asc' },
    take,
    select: exportSelect,
  });
}

/**
 * Reports observed in [from, to) counted by local day, language and terms — a week of 100k reports is a few hundred
 * rows — leaving out reports not yet placed in an incident and those of incidents merged into another.
 */
export async function digestReportGroups<T>(db: Db, from: Date, to: Date, timezone: string): Promise<T[]> {
  return db.$queryRaw<T[]>`
      SELECT to_char(r."observedAt" AT TIME ZONE ${timezone}, 'YYYY-MM-DD') AS day, r.language, r.terms, count(*)::int AS count
      FROM "Report" r
      WHERE r."observedAt" >= ${from} AND r."observedAt" < ${to} AND r."incidentId" IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM "Incident" i WHERE i.id = r."incidentId" AND i."mergedIntoId" IS NOT NULL)
      GROUP BY 1, 2, 3`;
}

// --- A reviewer's correction of one report's classification.

/** Every corrected report with the text the classifier read, in the order the corrections were made. */
export async function correctedReports(db: Db) {
  return db.$queryRaw<
    Array<{
      id: string;
      narrative: string;
      placeName: string | null;
      partyAlleged: string | null;
      language: string | null;
      correction: { terms: string[]; stance: string; at?: string };
    }>
  >`
    SELECT "id"::text, "narrative", "placeName", "partyAlleged"::text AS "partyAlleged", "language", "correction"
    FROM "Report" WHERE "correction" IS NOT NULL ORDER BY "correction"->>'at', "id"`;
}

/** Locks the report and reads what a correction replaces; undefined when there is no such report. */
export async function lockForCorrection(tx: Tx, reportId: string) {
  const [before] = await tx.$queryRaw<Array<{ terms: string[]; stance: string | null; correction: unknown }>>`
    SELECT "terms", "stance"::text AS stance, "correction" FROM "Report" WHERE "id" = ${reportId}::uuid FOR UPDATE`;
  return before;
}

export async function saveCorrection(tx: Tx, reportId: string, correction: unknown): Promise<void> {
  await tx.$executeRaw`UPDATE "Report" SET "correction" = ${JSON.stringify(correction)}::jsonb WHERE "id" = ${reportId}::uuid`;
}

/** Every report of an incident with its attachments, in observed order (custody packages). */
export async function reportsForCustody(db: Db, incidentId: string) {
  return db.report.findMany({ where: { incidentId }, orderBy: [{ observedAt: 'asc' }, { id: 'asc' }], include });
}

/** The report and its attachment rows, locked until the caller's transaction ends (an erasure), or null. */
export async function lockReportForErasure(tx: Tx, id: string) {
  const locked = await tx.$queryRaw<
    Array<{ id: string }>
  >`SELECT id::text FROM "Report" WHERE id = ${id}::uuid FOR UPDATE`;
  if (!locked.length) return null;
  return tx.report.findUnique({ where: { id }, include: { attachments: true } });
}

/** Deletes a report; its attachment rows go with it (ON DELETE CASCADE). */
export async function deleteReport(tx: Tx, id: string): Promise<void> {
  await tx.report.delete({ where: { id } });
}

/** The reports of each incident received after the instant given for it (oldest first). */
export async function reportsReceivedAfter(db: Db, since: Map<string, Date>) {
  if (!since.size) return [];
  const ids = [...since.keys()];
  const ats = ids.map((id) => since.get(id)!.toISOString());
  return db.$queryRaw<Array<{ incidentId: string; id: string; receivedAt: Date }>>`
    SELECT r."incidentId"::text AS "incidentId", r.id::text AS id, r."receivedAt"
    FROM "Report" r JOIN unnest(${ids}::uuid[], ${ats}::timestamptz[]) AS v(id, at)
      ON r."incidentId" = v.id AND r."receivedAt" > v.at
    ORDER BY r."receivedAt", r.id`;
}
