// Benchmark 3, dedup scaling: the cost of placing one new report (candidate lookup through the PostgreSQL
// store + the assignment decision) when the store already holds 10k, 100k or 1M reports. The store is
// bulk-loaded in SQL with dedup features; probes are new reports near existing incidents (the common case:
// a second observer reporting the same event), so every lookup finds real candidates. The lookup runs as the
// worker's batches run it: the candidate SQL on a plain node-postgres client (src/db/pg-tx.ts); the
// same lookup through Prisma (what processReport pays for a rerun) is reported beside it.
import { performance } from 'node:perf_hooks';
import { createUser } from '../src/users/index.ts';
import { candidateQuery, decideAssignment } from '../src/dedup/dedup.ts';
import { CELL_DEG, geoCell, type ReportFeatures } from '../src/dedup/features.ts';
import { createPrismaCandidateStore } from '../src/dedup/repository.ts';
import { createPgPool, pgTx } from '../src/db/pg-tx.ts';
import type { BenchWorld } from './env.ts';
import { seedStore } from './seed-sql.ts';
import { median, percentile, round } from './stats.ts';

export interface DedupFigures {
  stored: number;
  msPerReport: number;
  p99Ms: number;
  prismaMsPerReport: number;
  meanCandidates: number;
  meanMembers: number;
  joined: number;
  probes: number;
}

const CELL_SQL = `floor(lat / ${CELL_DEG})::int::text || ':' || floor(lon / ${CELL_DEG})::int::text`;

export async function benchDedup(world: BenchWorld, opts: { stored: number; probes: number }): Promise<DedupFigures> {
  const observer = await createUser(world.db, {
    username: 'bench.dedup',
    password: 'bench-dedup-pass',
    role: 'observer',
  });
  // 200 days after the agreement: density per cell grows with the store, as it would over a mission.
  await seedStore(world.db, {
    reports: opts.stored,
    from: new Date('2020-10-24T00:00:00Z'),
    to: new Date('2021-05-12T00:00:00Z'),
    observerId: observer.id,
    geoCellSql: CELL_SQL,
    features: true,
  });
  const seeds = await world.db.$queryRawUnsafe<
    Array<{ lat: number; lon: number; at: Date; terms: string[]; stance: string; party: string }>
  >(
    `SELECT lat, lon, "firstObservedAt" AS at, terms, stance::text AS stance, parties[1] AS party FROM "Incident" ORDER BY random() LIMIT ${opts.probes}`,
  );
  const pool = createPgPool(world.url, 1);
  const client = await pool.connect();
  // The settings a worker's transaction gives its lookups (LOOKUP_SETTINGS), for the whole session here.
  await client.query('SET enable_bitmapscan = off');
  const pipelineStore = createPrismaCandidateStore(pgTx(client));
  const prismaStore = createPrismaCandidateStore(world.db);
  const times: number[] = [];
  const prismaTimes: number[] = [];
  let candidates = 0;
  let members = 0;
  let joined = 0;
  for (const [i, s] of seeds.entries()) {
    const lat = s.lat + (i % 2 ? 0.003 : -0.002);
    const lon = s.lon + (i % 3 ? 0.002 : -0.003);
    const observedAt = new Date(s.at.getTime() + 40 * 60_000).toISOString();
    const f: ReportFeatures = {
      v: 1,
      observedAt,
      eventDays: [observedAt.slice(0, 10)],
      lat,
      lon,
      positionSource: 'coordinates',
      placeKey: null,
      places: [],
      cells: [geoCell(lat, lon)],
      numbers: [],
      parties: [s.party],
      nationalities: [],
      terms: s.terms,
      stance: s.stance as ReportFeatures['stance'],
      concepts: [],
      routine: false,
      attachmentHashes: [],
      language: i % 2 ? 'ar' : 'en',
    };
    // The two ways in turn first, so that neither always finds the other's pages in the cache.
    const viaPrisma = async () => {
      const t = performance.now();
      decideAssignment(f, await prismaStore.findCandidates(candidateQuery(f)));
      prismaTimes.push(performance.now() - t);
    };
    if (i % 2) await viaPrisma();
    const t = performance.now();
    const found = await pipelineStore.findCandidates(candidateQuery(f));
    const decision = decideAssignment(f, found);
    times.push(performance.now() - t);
    if (!(i % 2)) await viaPrisma();
    candidates += found.length;
    members += found.reduce((n, c) => n + c.members.length, 0);
    if (decision.incidentId) joined += 1;
  }
  client.release();
  await pool.end();
  // The first lookups warm the buffer cache and the plan; the median is what a steady worker sees.
  return {
    stored: opts.stored,
    msPerReport: round(median(times), 2),
    p99Ms: round(percentile(times, 99), 2),
    prismaMsPerReport: round(median(prismaTimes), 2),
    meanCandidates: round(candidates / Math.max(1, seeds.length), 1),
    meanMembers: round(members / Math.max(1, seeds.length), 1),
    joined,
    probes: seeds.length,
  };
}
