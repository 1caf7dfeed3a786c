// Gathers the jobs a worker runs at the same time into batches: a job waits at most `maxWaitMs` for a batch
// of up to `maxBatch` to form, the batch is processed in one transaction (processBatch), and each job settles
// with its own report's outcome. If the batch transaction fails for any reason, its reports are processed one
// by one with processReport, so a bad report fails alone and its retries and dead letter are those it had.
import { processBatch, type BatchItem, type BatchOutcome } from './batch.ts';
import { processReport, type Outcome, type PipelineDeps } from './process.ts';

export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  /**
   * Batches of one process committing at once (default 1; with maxBatch 1, no limit): the next batch forms while one
   * commits, and starts with every job that came meanwhile. Batches started side by side every few milliseconds were small (8 reports on
   * average in the pipeline benchmark) and, sharing the blocks of the reports around them, waited on each other's
   * block locks (about 170 ms a batch) while each paid its own round trips.
   */
  maxInFlight?: number;
  /** Told when a batch transaction failed and its reports were processed one by one instead. */
  onBatchError?: (err: unknown, size: number) => void;
}
export interface Batcher {
  submit(reportId: string, attempt: number): Promise<Outcome>;
}

interface Pending extends BatchItem {
  resolve(o: Outcome): void;
  reject(e: unknown): void;
}

export function createBatcher(deps: PipelineDeps, opts: BatcherOptions): Batcher {
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight = 0;
  // One report per transaction (maxBatch 1) keeps its jobs side by side, as before batching.
  const maxInFlight = Math.max(1, opts.maxInFlight ?? (opts.maxBatch > 1 ? 1 : Infinity));

  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    while (pending.length && inFlight < maxInFlight) {
      const batch = pending.slice(0, opts.maxBatch);
      pending = pending.slice(batch.length);
      inFlight++;
      let done = false;
      const release = () => {
        if (done) return;
        done = true;
        inFlight--;
        // The jobs that came while it ran have waited already: they go at once.
        flush();
      };
      void run(batch, release).finally(release);
    }
  };

  // `release` frees the batch's place once its transaction is over: the reports it hands back to processReport run
  // beside the next batch, so one report waiting on a lock does not hold up the process.
  const run = async (batch: Pending[], release: () => void) => {
    let outcomes: BatchOutcome[] | null = null;
    if (opts.maxBatch > 1) {
      try {
        outcomes = await processBatch(deps, batch);
      } catch (err) {
        outcomes = null;
        try {
          opts.onBatchError?.(err, batch.length);
        } catch {
          // A failing listener must not leave the batch's jobs unsettled.
        }
      }
    }
    release();
    await Promise.all(
      batch.map(async (p, i) => {
        const o = outcomes?.[i];
        if (o && o !== 'deferred') {
          p.resolve(o);
          return;
        }
        try {
          p.resolve(await processReport(deps, p.reportId, { attempt: p.attempt }));
        } catch (err) {
          p.reject(err);
        }
      }),
    );
  };

  return {
    submit(reportId, attempt) {
      return new Promise<Outcome>((resolve, reject) => {
        pending.push({ reportId, attempt, resolve, reject });
        if (pending.length >= opts.maxBatch) flush();
        else timer ??= setTimeout(flush, opts.maxWaitMs);
      });
    },
  };
}
