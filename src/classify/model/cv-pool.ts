// The grouped cross-validation's folds spread over threads. Each fold fits the heads on every other group (about
// half a minute at 15,000 rows and 2^20 buckets), and the folds share nothing but the prepared rows, so
// `npm run train` and `npm run eval -- --cv` run them side by side on every core. Each fold is the same code on the
// same rows in the same order whichever thread runs it, so the held-out predictions, and the models calibrated on
// them, are the same to the bit as `crossValidate` run in one thread.
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  crossValidate,
  cvGroups,
  DEFAULT_SETTINGS,
  type OutOfFold,
  type Prepared,
  type TrainSettings,
} from './train.ts';

export interface CvJob {
  data: Array<Pick<Prepared, 'row' | 'rules' | 'text'>>;
  labels: string[];
  settings: TrainSettings;
  groups: string[];
}

/** Threads to use: CV_THREADS when set (1 runs in this thread), else one per core. */
export function cvThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.CV_THREADS);
  return Number.isInteger(n) && n >= 1 ? n : availableParallelism();
}

/** tsx's ESM API as its package exports it (require.resolve would give the CommonJS entry). */
function tsxEsmApi(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}
const workerUrl = new URL('./cv-worker.ts', import.meta.url).href;

function runJob(job: CvJob, tsxApi: string, started: Worker[]): Promise<OutOfFold[]> {
  return new Promise((resolve, reject) => {
    // The worker is TypeScript like the rest: a thread does not inherit the loader that runs this one (tsx, vitest),
    // so it registers tsx's hooks itself before loading it.
    const worker = new Worker(
      `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl)}); });`,
      { eval: true, workerData: job },
    );
    started.push(worker);
    let result: OutOfFold[] | null = null;
    worker.once('message', (m: OutOfFold[]) => (result = m));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`cross-validation thread exited with code ${code} and no result`)),
    );
  });
}

/** `crossValidate` with its folds on `threads` threads; the same predictions in the same order. */
export async function crossValidateInThreads(
  data: Prepared[],
  labels: string[],
  s: TrainSettings = DEFAULT_SETTINGS,
  threads = cvThreads(),
): Promise<OutOfFold[]> {
  const groups = cvGroups(data);
  const n = Math.min(threads, groups.length);
  if (n <= 1) return crossValidate(data, labels, s);
  // A fold costs about the same whichever group it holds out (it trains on all the others), so dealing the groups
  // round-robin balances the threads; the rows are copied to each thread once.
  const rows = data.map((p) => ({ row: p.row, rules: p.rules, text: p.text }));
  const tsxApi = tsxEsmApi();
  const started: Worker[] = [];
  const parts = await Promise.all(
    Array.from({ length: n }, (_, t) =>
      runJob({ data: rows, labels, settings: s, groups: groups.filter((_, i) => i % n === t) }, tsxApi, started),
    ),
  ).catch(async (err: unknown) => {
    // One thread failed: the others' folds are of no use, and they would keep the process busy for many minutes.
    await Promise.all(started.map((w) => w.terminate()));
    throw err;
  });
  const byGroup = new Map<string, OutOfFold[]>();
  for (const part of parts)
    for (const o of part) {
      const list = byGroup.get(o.group);
      if (list) list.push(o);
      else byGroup.set(o.group, [o]);
    }
  return groups.flatMap((g) => byGroup.get(g) ?? []);
}
