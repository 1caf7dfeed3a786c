// `npm run bench [-- intake,pipeline,dedup,digest] [--quick] [--profile]`: runs the benchmarks against a
// dedicated database (ceasefire_bench, dropped and recreated) with the server under test in child processes,
// prints a table per benchmark and writes bench/results/latest.json plus a dated copy.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processors } from '../workers/processors.ts';
import { QUEUES } from '../src/queue/names.ts';
import { createWorld, dropDatabase } from './env.ts';
import { benchIntake, type IntakeKind } from './intake.ts';
import { benchIntakeSpans } from './intake-spans.ts';
import { benchPipeline } from './pipeline.ts';
import { benchHot, benchHotDrain } from './hot.ts';
import { benchDigest } from './digest.ts';
import { benchDedup, type DedupFigures } from './dedup.ts';
import { benchPhotoHash } from './photos.ts';
import { summariseProfile, type ProfileSummary } from './profile.ts';
import { printTable } from './stats.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const only = (args.find((a) => !a.startsWith('--')) ?? 'intake,pipeline,hot,dedup,digest,photos').split(',');
const RUNS = quick ? 1 : 3;
const SECONDS = quick ? 5 : 10;

function machine() {
  const git = (a: string[]) => {
    try {
      return execFileSync('git', a, { cwd: HERE }).toString().trim();
    } catch {
      return null;
    }
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    commit: git(['rev-parse', 'HEAD']),
    // The results this run rewrites do not make the tree dirty.
    dirty:
      (git(['status', '--porcelain', '--untracked-files=no', '--', ':/', ':(top,exclude)bench/results']) ?? '') !== '',
    // Other work on the machine (tests of other engineers) shares these cores; the load average says how much.
    loadAvgAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    startedAt: new Date().toISOString(),
    runsPerFigure: RUNS,
    secondsPerRun: SECONDS,
  };
}

const results: Record<string, unknown> = { machine: machine() };
const notes: string[] = [];

// Raw profiles are large; only their summary goes into the results.
async function profileDir(name: string): Promise<string> {
  const dir = path.join(os.tmpdir(), `ceasefire-bench-profiles-${name}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Where the profiled processes' CPU went, printed and returned (one summary per process). */
async function summariseProfiles(dir: string, what: string): Promise<ProfileSummary[]> {
  const out: ProfileSummary[] = [];
  for (const f of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))) {
    const s = await summariseProfile(path.join(dir, f));
    out.push(s);
    console.log(`\n${what} CPU profile: busy ${s.busyMs} ms of ${s.totalMs} ms`);
    printTable(
      'self time by module',
      s.byModule.map((m) => ({ module: m.module, ms: m.ms, '%': m.share })),
    );
    printTable(
      'busiest functions',
      s.topFunctions.map((m) => ({ function: m.fn.slice(0, 90), ms: m.ms, '%': m.share })),
    );
  }
  return out;
}

const profiled = (dir: string | null) => (dir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] } : {});

async function intake() {
  const world = await createWorld(32);
  const profDir = profile ? await profileDir('api') : null;
  try {
    const api = await world.startApi(profiled(profDir));
    const figs = await benchIntake(world, api, { runs: RUNS, seconds: SECONDS });
    results.intake = figs;
    printTable(
      'intake (32 connections; medians of runs)',
      Object.entries(figs).map(([kind, f]) => ({
        kind,
        'accepted/s': f!.rps,
        'p50 ms': f!.p50Ms,
        'p99 ms': f!.p99Ms,
        accepted: f!.accepted,
        non2xx: f!.non2xx,
        errors: f!.errors,
        'API cpu µs/report': f!.apiCpuUs ?? '',
        'PG cpu µs/report': f!.pgCpuUs ?? '',
      })),
    );
    for (const k of ['json', 'jpeg', 'openrosa'] as IntakeKind[]) if (!figs[k]) notes.push(`intake.${k}: not measured`);
    const spans = await benchIntakeSpans(world, quick ? 50 : 200);
    results.intakeSpans = spans;
    printTable('intake service time by stage (sequential, in-process; median ms)', [spans.ms]);
  } finally {
    await world.stopAll();
    await world.close();
  }
  if (profDir) [results.intakeProfile] = await summariseProfiles(profDir, 'API process, over the intake runs,');
}

async function pipeline() {
  if (!processors[QUEUES.reports]) {
    notes.push('pipeline: no processor for the reports queue in workers/processors.ts yet; not measured');
    return;
  }
  const world = await createWorld(32);
  const profDir = profile ? await profileDir('workers') : null;
  try {
    const api = await world.startApi();
    await world.startWorkers(profiled(profDir));
    await world.startWorkers(profiled(profDir));
    const f = await benchPipeline(world, api.url, { seconds: quick ? 10 : 30 });
    results.pipeline = f;
    printTable('pipeline (intake at full speed; 2 worker processes)', [
      {
        'processed/s': f.processedPerSec,
        'accepted/s': f.acceptedPerSec,
        'backlog growing': String(f.backlogGrowing),
        'drain s': f.drainSeconds ?? 'not drained',
        'cpu µs/report api': f.cpuUsPerReport?.api ?? '',
        workers: f.cpuUsPerReport?.workers ?? '',
        postgres: f.cpuUsPerReport?.postgres ?? '',
        incidents: f.incidents,
        'tied merges': f.tiedMerges,
      },
    ]);
    printTable(
      'backlog over time',
      f.backlog.map((b) => ({ 't s': b.t, accepted: b.accepted, processed: b.processed, backlog: b.backlog })),
    );
  } finally {
    await world.close();
  }
  if (profDir) results.pipelineProfile = await summariseProfiles(profDir, 'worker process, over the pipeline run,');
}

// One observer floods one place (one incident of thousands of reports) while eight others file at field rate.
async function hot() {
  const world = await createWorld(9);
  try {
    // The flood has to get in to be measured: the per-account quota is raised for the benchmarks (env.ts).
    const api = await world.startApi();
    await world.startWorkers();
    await world.startWorkers();
    const f = await benchHot(world, api.url, {
      hotReports: quick ? 3_000 : 10_000,
      drainLimitSeconds: quick ? 120 : 300,
    });
    results.hot = f;
    printTable('one hot incident (1 observer floods one place, 8 file normally; 2 worker processes)', [
      {
        'hot reports': f.hotReports,
        'incident size': f.hotIncidentSize,
        'processed/s': f.processedPerSec,
        'flood accepted/s': f.acceptedPerSec,
        'drain s': f.drainSeconds ?? 'not drained',
        'others n': f.otherReports,
        'others wait p50 ms': f.otherWaitMs.p50,
        'p95 ms': f.otherWaitMs.p95,
        'max ms': f.otherWaitMs.max,
        unprocessed: f.otherWaitMs.unprocessed,
        'cpu µs/report api': f.cpuUsPerReport?.api ?? '',
        workers: f.cpuUsPerReport?.workers ?? '',
        postgres: f.cpuUsPerReport?.postgres ?? '',
      },
    ]);
  } finally {
    await world.close();
  }
  // The same flood queued first, then processed with nothing else running: the processing capacity itself.
  const drainWorld = await createWorld(1);
  try {
    const api = await drainWorld.startApi();
    const d = await benchHotDrain(drainWorld, api.url, {
      reports: quick ? 3_000 : 10_000,
      drainLimitSeconds: quick ? 120 : 300,
    });
    (results.hot as Record<string, unknown>).drain = d;
    printTable('one hot incident, processing only (the flood queued first; 2 worker processes)', [
      {
        reports: d.reports,
        'incident size': d.hotIncidentSize,
        'processed/s': d.processedPerSec,
        'drain s': d.drainSeconds,
        'cpu µs/report workers': d.cpuUsPerReport?.workers ?? '',
        postgres: d.cpuUsPerReport?.postgres ?? '',
      },
    ]);
  } finally {
    await drainWorld.close();
  }
}

async function dedup() {
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const rows = [];
  const byStore: Record<string, number> = {};
  const detail: Record<string, DedupFigures> = {};
  for (const size of sizes) {
    const world = await createWorld(1);
    try {
      const f = await benchDedup(world, { stored: size, probes: quick ? 100 : 300 });
      byStore[String(size)] = f.msPerReport;
      detail[String(size)] = f;
      rows.push({
        stored: size,
        'ms/report (median)': f.msPerReport,
        'p99 ms': f.p99Ms,
        'via Prisma ms': f.prismaMsPerReport,
        candidates: f.meanCandidates,
        members: f.meanMembers,
        'found its incident': `${f.joined}/${f.probes}`,
      });
    } finally {
      await world.close();
    }
  }
  results.dedup = { msPerReport: byStore, byStore: detail };
  printTable('dedup: candidate lookup + decision per new report', rows);
}

async function digest() {
  const world = await createWorld(1);
  try {
    const f = await benchDigest(world, { reports: 100_000, runs: RUNS });
    results.digest = f;
    printTable('digest: weekly digest over 100k reports', [
      {
        reports: f.reports,
        incidents: f.incidents,
        'total ms': f.ms100k,
        'load ms': f.loadMs,
        'compile ms': f.compileMs,
      },
    ]);
  } finally {
    await world.close();
  }
}

// Perceptual hashing (src/attachments/phash.ts), as the workers run it before dedup: no server, no database.
async function photos() {
  const f = await benchPhotoHash({ n: quick ? 20 : 100 });
  results.photos = f;
  printTable(
    'perceptual hash per photo (decode + hash, sequential)',
    Object.entries(f).map(([photo, x]) => ({
      photo,
      bytes: x.bytes,
      pixels: x.pixels,
      'ms median': x.msMedian,
      'ms p95': x.msP95,
      'CPU ms/photo': x.cpuMsPerPhoto,
    })),
  );
}

const benches: Record<string, () => Promise<void>> = { intake, pipeline, hot, dedup, digest, photos };
try {
  for (const name of only) {
    const run = benches[name];
    if (!run) throw new Error(`unknown benchmark ${name}; choose from ${Object.keys(benches).join(', ')}`);
    console.log(`\n== ${name}`);
    try {
      await run();
    } catch (err) {
      notes.push(`${name}: failed: ${(err as Error).message.split('\n')[0]}`);
      console.error(`${name} failed:`, err);
    }
  }
} finally {
  await dropDatabase().catch(() => undefined);
}
results.notes = notes;
(results.machine as Record<string, unknown>).finishedAt = new Date().toISOString();
(results.machine as Record<string, unknown>).loadAvgAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
const out = path.join(HERE, 'results');
await mkdir(out, { recursive: true });
// A partial run (one benchmark) keeps the other figures of latest.json, each with the machine facts of its run.
const previous = await readFile(path.join(out, 'latest.json'), 'utf8').then(
  (t) => JSON.parse(t) as Record<string, unknown>,
  () => ({}) as Record<string, unknown>,
);
const merged: Record<string, unknown> = { ...previous };
for (const [k, v] of Object.entries(results)) if (k !== 'machine' && k !== 'notes') merged[k] = v;
const machines = { ...(previous.machineByBenchmark as Record<string, unknown> | undefined) };
for (const name of only) machines[name] = results.machine;
Object.assign(merged, { machine: results.machine, machineByBenchmark: machines, notes: results.notes });
const json = JSON.stringify(merged, null, 2);
await writeFile(path.join(out, 'latest.json'), json);
await writeFile(path.join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`), json);
if (notes.length) console.log(`\nnotes:\n  ${notes.join('\n  ')}`);
console.log(`\nwritten: bench/results/latest.json`);
process.exit(0);
