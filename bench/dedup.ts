// Benchmark 3, dedup scaling: the cost of placing one new report (candidate lookup through the PostgreSQL
// store + the assignment decision) when the store already holds 10k, 100k or 1M reports. The store is
// bulk-loaded in SQL with dedup features; probes are new reports near existing incidents (the common case:
// a second observer reporting the same event), so every lookup finds real candidates.
import { performance } from 'node:perf_hooks';
import { createUser } from '../src/auth/users.ts';
import { candidateQuery, decideAssignment } from '../src/incidents/dedup.ts';
import { CELL_DEG, geoCell, type ReportFeatures } from '../src/incidents/features.ts';
import { createPrismaCandidateStore } from '../src/incidents/prisma-store.ts';
import type { BenchWorld } from './env.ts';
import { seedStore } from './seed-sql.ts';
import { median, percentile, round } from './stats.ts';

export interface DedupFigures { stored: number; msPerReport: number; p99Ms: number; meanCandidates: number; joined: number }

const CELL_SQL = `floor(lat / ${CELL_DEG})::int::text || ':' || floor(lon / ${CELL_DEG})::int::text`;

export async function benchDedup(world: BenchWorld, opts: { stored: number; probes: number }): Promise<DedupFigures> {
  const observer = await createUser(world.db, { username: 'bench.dedup', password: 'bench-dedup-pass', role: 'observer' });
  // 200 days after the agreement: density per cell grows with the store, as it would over a mission.
  await seedStore(world.db, {
    reports: opts.stored, from: new Date('2020-10-24T00:00:00Z'), to: new Date('2021-05-12T00:00:00Z'),
    observerId: observer.id, geoCellSql: CELL_SQL, features: true,
  });
  const seeds = await world.db.$queryRawUnsafe<Array<{ lat: number; lon: number; at: Date; terms: string[]; stance: string; party: string }>>(
    `SELECT lat, lon, "firstObservedAt" AS at, terms, stance::text AS stance, parties[1] AS party FROM "Incident" ORDER BY random() LIMIT ${opts.probes}`);
  const times: number[] = [];
  let candidates = 0;
  let joined = 0;
  for (const [i, s] of seeds.entries()) {
    const lat = s.lat + (i % 2 ? 0.003 : -0.002);
    const lon = s.lon + (i % 3 ? 0.002 : -0.003);
    const observedAt = new Date(s.at.getTime() + 40 * 60_000).toISOString();
    const f: ReportFeatures = {
      v: 1, observedAt, eventDays: [observedAt.slice(0, 10)], lat, lon, positionSource: 'coordinates', placeKey: null, places: [],
      cells: [geoCell(lat, lon)], numbers: [], parties: [s.party], nationalities: [], terms: s.terms,
      stance: s.stance as ReportFeatures['stance'], concepts: [], routine: false, attachmentHashes: [], language: i % 2 ? 'ar' : 'en',
    };
    const t = performance.now();
    const found = await createPrismaCandidateStore(world.db).findCandidates(candidateQuery(f));
    const decision = decideAssignment(f, found);
    times.push(performance.now() - t);
    candidates += found.length;
    if (decision.incidentId) joined += 1;
  }
  // The first lookups warm the buffer cache and the plan; the median is what a steady worker sees.
  return {
    stored: opts.stored, msPerReport: round(median(times), 2), p99Ms: round(percentile(times, 99), 2),
    meanCandidates: round(candidates / Math.max(1, seeds.length), 1), joined,
  };
}
