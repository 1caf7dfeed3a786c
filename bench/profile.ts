// Reads a V8 .cpuprofile (node --cpu-prof) and says where the milliseconds went: self time by module
// (package, project file or node internals) and the busiest functions.
import { readFile } from 'node:fs/promises';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  byModule: Array<{ module: string; ms: number; share: number }>;
  topFunctions: Array<{ fn: string; ms: number; share: number }>;
}

function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:internal.*/, 'node:internal');
  const own = /\/main\/(.+)$/.exec(url);
  if (own) return own[1]!.replace(/^(src\/[^/]+)\/.*/, '$1').replace(/^(workers)\/.*/, '$1');
  return url;
}

export async function summariseProfile(file: string, top = 15): Promise<ProfileSummary> {
  const p = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const totalMs = (p.endTime - p.startTime) / 1000;
  const mods = new Map<string, number>();
  const fns = new Map<string, number>();
  let idle = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') {
      idle += functionName === '(idle)' ? ms : 0;
    }
    const m = moduleOf(url, functionName);
    mods.set(m, (mods.get(m) ?? 0) + ms);
    const key =
      `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|main)\//, '')}:${lineNumber + 1}` : ''}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + ms);
  }
  const busyMs = totalMs - idle;
  const rank = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
  return {
    totalMs: Math.round(totalMs),
    busyMs: Math.round(busyMs),
    byModule: rank(mods).map(([module, ms]) => ({
      module,
      ms: Math.round(ms),
      share: Math.round((ms / busyMs) * 1000) / 10,
    })),
    topFunctions: rank(fns).map(([fn, ms]) => ({
      fn,
      ms: Math.round(ms),
      share: Math.round((ms / busyMs) * 1000) / 10,
    })),
  };
}
