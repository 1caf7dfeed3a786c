// CPU time spent by the processes under test, read from /proc: on a shared 2-core host, throughput moves with
// whatever else runs, but the CPU a report costs the API process and PostgreSQL barely does. Linux only;
// elsewhere the figures are null.
import { readFileSync, readdirSync } from 'node:fs';
import type { Db } from '../src/db/client.ts';
import type { BenchWorld } from './env.ts';

const TICK_MS = 10; // USER_HZ is 100 on every Linux build this runs on

function stat(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** The process and its descendants (API processes forked by WEB_CONCURRENCY). */
export function processTree(root: number): number[] {
  let all: Array<{ pid: number; ppid: number }>;
  try {
    all = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => ({ pid: Number(d), ppid: stat(Number(d))?.ppid ?? -1 }));
  } catch {
    return [root];
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const p of all) if (p.ppid === out[i]) out.push(p.pid);
  return out;
}

/** The PostgreSQL backends serving the bench database (the server under test's connections). */
export async function backendPids(db: Db): Promise<number[]> {
  const rows = await db.$queryRaw<Array<{ pid: number }>>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  return rows.map((r) => r.pid);
}

export type CpuSample = Map<number, number>;
export function sampleCpu(pids: number[]): CpuSample {
  return new Map(
    pids.flatMap((p) => {
      const s = stat(p);
      return s ? [[p, s.cpuMs] as [number, number]] : [];
    }),
  );
}

/** CPU ms used between two samples; a process first seen in `after` counts from zero. */
export function cpuBetween(before: CpuSample, after: CpuSample): number {
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/** Samples the API process tree and the database's backends around `run`; µs of each per unit of work. */
export async function measureCpu<T>(
  db: Db,
  apiPid: number,
  run: () => Promise<T>,
  units: (r: T) => number,
): Promise<{ result: T; apiUsPerUnit: number | null; pgUsPerUnit: number | null }> {
  const apiBefore = sampleCpu(processTree(apiPid));
  const pgBefore = sampleCpu(await backendPids(db));
  const result = await run();
  const api = cpuBetween(apiBefore, sampleCpu(processTree(apiPid)));
  const pg = cpuBetween(pgBefore, sampleCpu(await backendPids(db)));
  const n = units(result);
  const per = (ms: number) => (n > 0 && apiBefore.size ? Math.round((ms * 1000) / n) : null);
  return { result, apiUsPerUnit: per(api), pgUsPerUnit: per(pg) };
}

/** The API processes, the worker processes and the bench database's backends, sampled at once. */
export async function cpuSnapshot(world: BenchWorld) {
  const tree = (pids: number[]) => pids.flatMap(processTree);
  return {
    api: sampleCpu(tree(world.spawned.filter((p) => p.url !== '').map((p) => p.pid))),
    workers: sampleCpu(tree(world.spawned.filter((p) => p.url === '').map((p) => p.pid))),
    postgres: sampleCpu(await backendPids(world.db)),
  };
}
