// Group commit for intake. Every accepted report must be durable (report, evidence rows and processing job in
// one commit) before its 2xx, and at escalation rates one commit per report costs more than the rest of the
// request together: a statement to plan, a round trip and a WAL flush each. So the reports of concurrent requests
// are written together: while `maxInFlight` statements are running, new reports wait and go out as one batch in
// the next statement. At low rates a report is written alone at once; under load batches grow by themselves.
// Each caller still learns its own outcome, only after the commit that holds its report.
import { Prisma, type Db } from '../db/client.ts';
import { REPORT_RECEIVED } from '../queue/names.ts';
import type { PreparedAttachment } from '../attachments/prepare.ts';
import type { ReportRow } from './repository.ts';
import type { ReportInput } from './schema.ts';

export type ReportSource = 'api' | 'web' | 'openrosa';

export interface NewReport {
  observerId: string;
  input: ReportInput;
  contentHash: string;
  attachments: PreparedAttachment[];
  source: ReportSource;
}

export interface ReportWriter {
  /** The stored row, or null when this observer already filed this clientId (the caller resolves the retry). */
  insert(report: NewReport): Promise<ReportRow | null>;
}

export interface WriterOptions {
  maxBatch?: number;
  maxInFlight?: number;
  /** Told the size of each statement written (metrics, tests). */
  onBatch?: (size: number) => void;
}

interface Pending { report: NewReport; key: string; resolve(row: ReportRow | null): void; reject(err: unknown): void }

const rowKey = (observerId: string, clientId: string) => `${observerId}/${clientId}`;
// Lower case: PostgreSQL returns uuids in lower case whatever case the client sent.
const keyOf = (r: NewReport) => rowKey(r.observerId, r.input.clientId.toLowerCase());

export function createReportWriter(db: Db, opts: WriterOptions = {}): ReportWriter {
  const maxBatch = opts.maxBatch ?? 128;
  const maxInFlight = opts.maxInFlight ?? 4;
  let queue: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;

  // Reports parsed in the same turn of the event loop leave together.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => { scheduled = false; pump(); });
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length) {
      const batch: Pending[] = [];
      const keys = new Set<string>();
      const later: Pending[] = [];
      // The same clientId twice in one statement would race itself; the second goes in the next batch and
      // meets the first as a retry.
      for (const p of queue) {
        if (batch.length < maxBatch && !keys.has(p.key)) { batch.push(p); keys.add(p.key); } else later.push(p);
      }
      queue = later;
      inFlight += 1;
      void write(batch).finally(() => { inFlight -= 1; if (queue.length) schedule(); });
    }
  };

  const write = async (batch: Pending[]) => {
    let rows: Map<string, ReportRow>;
    opts.onBatch?.(batch.length);
    try {
      rows = await insertReports(db, batch.map((p) => p.report));
    } catch (err) {
      if (batch.length === 1) { batch[0]!.reject(err); return; }
      // One bad report (or a deadlock between two retried batches) must not fail its neighbours: each is
      // written alone, and only its own error reaches its caller.
      await Promise.all(batch.map((p) => insertReports(db, [p.report]).then((r) => p.resolve(r.get(p.key) ?? null), p.reject)));
      return;
    }
    for (const p of batch) p.resolve(rows.get(p.key) ?? null);
  };

  return {
    insert(report) {
      return new Promise<ReportRow | null>((resolve, reject) => {
        queue.push({ report, key: keyOf(report), resolve, reject });
        schedule();
      });
    },
  };
}

function attachmentRecords(attachments: PreparedAttachment[]) {
  return attachments.map((a) => ({
    sha256: a.sha256, mime: a.mime, size: a.sizeBytes, name: a.originalName,
    taken: a.exif.takenAt?.toISOString() ?? null, lat: a.exif.lat, lon: a.exif.lon,
  }));
}

function inputRecord(r: NewReport) {
  const i = r.input;
  return {
    clientId: i.clientId, observerId: r.observerId, source: r.source, contentHash: r.contentHash, observedAt: i.observedAt,
    lat: i.lat ?? null, lon: i.lon ?? null, accuracyM: i.accuracyM ?? null, placeName: i.placeName ?? null,
    narrative: i.narrative, partyAlleged: i.partyAlleged, casualties: i.casualties ?? null,
    attachments: attachmentRecords(r.attachments),
  };
}

// An attachment row as both statements below write it, from the JSON of attachmentRecords().
const ATTACHMENT_COLUMNS = Prisma.raw('"Attachment" ("reportId", "sha256", "mime", "sizeBytes", "originalName", "exifTakenAt", "exifLat", "exifLon")');
const ATTACHMENT_RECORD = Prisma.raw('a(sha256 text, mime text, size int, name text, taken timestamptz, lat float8, lon float8)');
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
        "casualties" jsonb, "attachments" jsonb)
    ), ins AS (
      INSERT INTO "Report" ("clientId", "observerId", "source", "contentHash", "observedAt", "lat", "lon", "accuracyM",
                            "placeName", "narrative", "partyAlleged", "casualties")
      SELECT "clientId", "observerId", "source", "contentHash", "observedAt", "lat", "lon", "accuracyM",
             "placeName", "narrative", "partyAlleged", NULLIF("casualties", 'null'::jsonb)
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
    out.set(rowKey(row.observerId, row.clientId), {
      ...row,
      attachments: row.attachments.map((a) => ({ ...a, createdAt: toDate(a.createdAt), exifTakenAt: toDate(a.exifTakenAt) })) as ReportRow['attachments'],
    } as ReportRow);
  }
  return out;
}

/**
 * Evidence a retry brings that the first attempt lost on the way (ODK resends to complete attachments): the
 * attachment rows not stored yet, and a processing job when there was any.
 */
export async function addAttachments(db: Db | Prisma.TransactionClient, reportId: string, attachments: PreparedAttachment[]): Promise<void> {
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
