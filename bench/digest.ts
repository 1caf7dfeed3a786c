// Benchmark 4, digest: a weekly digest compiled over a store holding 100k reports in that week (plus the
// previous week, which the digest compares against). Measured end to end (createDigest: load, compile,
// store, audit) and in its parts (loadDigestInput, compileDigest).
import { performance } from 'node:perf_hooks';
import { loadAgreement } from '../src/agreements/index.ts';

import { systemClock } from '../src/clock.ts';
import { createUser } from '../src/users/index.ts';
import { compileDigest, createDigest, loadDigestInput, previousPeriod } from '../src/digests/index.ts';
import type { DigestAgreement } from '../src/digests/index.ts';
import type { BenchWorld } from './env.ts';
import { seedStore } from './seed-sql.ts';
import { median, round } from './stats.ts';

const libya = loadAgreement('libya-2020');

export interface DigestFigures {
  reports: number;
  incidents: number;
  ms100k: number;
  loadMs: number;
  compileMs: number;
  runs: number[];
}

export async function benchDigest(world: BenchWorld, opts: { reports: number; runs: number }): Promise<DigestFigures> {
  const from = new Date('2020-11-16T00:00:00+02:00');
  const to = new Date('2020-11-23T00:00:00+02:00');
  const prev = previousPeriod(from, to);
  const observer = await createUser(world.db, {
    username: 'bench.digest',
    password: 'bench-digest-pass',
    role: 'observer',
  });
  const seeded = await seedStore(world.db, { reports: opts.reports, from, to, observerId: observer.id });
  await seedStore(world.db, {
    reports: Math.round(opts.reports / 2),
    from: prev.from,
    to: prev.to,
    observerId: observer.id,
  });
  const totals: number[] = [];
  const loads: number[] = [];
  const compiles: number[] = [];
  for (let r = 0; r < opts.runs; r += 1) {
    let t = performance.now();
    const input = await loadDigestInput(world.db, { from, to });
    loads.push(performance.now() - t);
    t = performance.now();
    compileDigest(input, libya as DigestAgreement, { from, to });
    compiles.push(performance.now() - t);
    t = performance.now();
    await createDigest(world.db, { from, to, trigger: 'on_demand' }, systemClock, libya);
    totals.push(performance.now() - t);
  }
  return {
    reports: seeded.reports,
    incidents: seeded.incidents,
    ms100k: round(median(totals), 0),
    loadMs: round(median(loads), 0),
    compileMs: round(median(compiles), 0),
    runs: totals.map((x) => round(x, 0)),
  };
}
