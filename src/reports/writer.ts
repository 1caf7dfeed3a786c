// Group commit for intake. Every accepted report must be durable (report, evidence rows and processing job in
// one commit) before its 2xx, and at escalation rates one commit per report costs more than the rest of the
// request together: a statement to plan, a round trip and a WAL flush each. So the reports of concurrent requests
// are written together: while `maxInFlight` statements are running, new reports wait and go out as one batch in
// the next statement. At low rates a report is written alone at once; under load batches grow by themselves.
// Each caller still learns its own outcome, only after the commit that holds its report.
import type { Db } from '../db/client.ts';
import { insertReports, reportKey, type NewReport, type ReportRow } from './repository.ts';

export type { NewReport, ReportSource } from './repository.ts';

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

interface Pending {
  report: NewReport;
  key: string;
  resolve(row: ReportRow | null): void;
  reject(err: unknown): void;
}

// Lower case: PostgreSQL returns uuids in lower case whatever case the client sent.
const keyOf = (r: NewReport) => reportKey(r.observerId, r.input.clientId.toLowerCase());

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
    setImmediate(() => {
      scheduled = false;
      pump();
    });
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length) {
      const batch: Pending[] = [];
      const keys = new Set<string>();
      const later: Pending[] = [];
      // The same clientId twice in one statement would race itself; the second goes in the next batch and
      // meets the first as a retry.
      for (const p of queue) {
        if (batch.length < maxBatch && !keys.has(p.key)) {
          batch.push(p);
          keys.add(p.key);
        } else later.push(p);
      }
      queue = later;
      inFlight += 1;
      void write(batch).finally(() => {
        inFlight -= 1;
        if (queue.length) schedule();
      });
    }
  };

  const write = async (batch: Pending[]) => {
    let rows: Map<string, ReportRow>;
    opts.onBatch?.(batch.length);
    try {
      rows = await insertReports(
        db,
        batch.map((p) => p.report),
      );
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad report (or a deadlock between two retried batches) must not fail its neighbours: each is
      // written alone, and only its own error reaches its caller.
      await Promise.all(
        batch.map((p) => insertReports(db, [p.report]).then((r) => p.resolve(r.get(p.key) ?? null), p.reject)),
      );
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
