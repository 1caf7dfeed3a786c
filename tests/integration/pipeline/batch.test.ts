// The batched pipeline (processBatch, and the batcher the worker runs) against the one-by-one path: the same
// realistic reports (the blind evaluation sets, en/ar, with shared photos) processed in the same order both
// ways give the same incidents, scores and aggregates; a batch run twice changes nothing; corrections and
// duplicates are handed back to processReport; a failing batch falls back to one-by-one so that only the bad
// report fails.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/db.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import { systemClock } from '../../../src/clock.ts';
import type { Pool } from 'pg';
import {
  createAnalyzer,
  createBatcher,
  createPgPool,
  processBatch,
  processReport,
  type Analyzer,
} from '../../../src/pipeline/index.ts';

interface Fixture {
  observedAt: string;
  lat: number | null;
  lon: number | null;
  accuracyM: number | null;
  placeName: string | null;
  narrative: string;
  partyAlleged: string | null;
  labels: { incident: string };
}

const fixtures: Fixture[] = ['blind-reports.jsonl', 'blind2-reports.jsonl'].flatMap((f) =>
  readFileSync(new URL(`../../fixtures/${f}`, import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Fixture),
);
const ids = fixtures.map(() => randomUUID());
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
// Every fifth report carries the photo of its labelled incident; two unrelated reports share one photo.
const photos = fixtures.map((f, i) => [
  ...(i % 5 === 0 ? [sha(`photo:${f.labels.incident}`)] : []),
  ...(i === 3 || i === 150 ? [sha('shared')] : []),
]);

const analyzer = createAnalyzer('libya-2020');
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const d of drops) await d();
});

async function world(): Promise<Db> {
  const t = await createTestDatabase();
  const db = createDb(t.url, { max: 4 });
  // Batches run as in the worker: on a plain node-postgres pool (src/db/pg-tx.ts).
  const pool = createPgPool(t.url, 2);
  pools.set(db, pool);
  drops.push(async () => {
    await pool.end();
    await db.$disconnect();
    await t.drop();
  });
  const user = await db.user.create({
    data: { username: 'observer', passwordHash: 'x', role: 'observer', displayName: 'Observer' },
  });
  const rows = fixtures.map((f, i) => ({
    id: ids[i],
    observedAt: f.observedAt,
    lat: f.lat,
    lon: f.lon,
    accuracyM: f.accuracyM,
    placeName: f.placeName,
    narrative: f.narrative,
    party: ['LAAF', 'GNA', 'foreign'].includes(f.partyAlleged ?? '') ? f.partyAlleged : 'unknown',
    hash: sha(`content:${i}`),
  }));
  await db.$executeRaw`
    INSERT INTO "Report" ("id", "clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "accuracyM", "placeName", "narrative", "partyAlleged")
    SELECT v.id, gen_random_uuid(), ${user.id}::uuid, v.hash, v."observedAt", v.lat, v.lon, v."accuracyM", v."placeName", v.narrative, v.party::"Party"
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id uuid, hash text, "observedAt" timestamptz, lat float8, lon float8,
      "accuracyM" float8, "placeName" text, narrative text, party text)`;
  const attachments = photos.flatMap((hs, i) => hs.map((h) => ({ reportId: ids[i], sha256: h })));
  await db.$executeRaw`
    INSERT INTO "Attachment" ("reportId", "sha256", "mime", "sizeBytes", "originalName")
    SELECT v."reportId", v.sha256, 'image/jpeg', 1000, 'photo.jpg' FROM jsonb_to_recordset(${JSON.stringify(attachments)}::jsonb) AS v("reportId" uuid, sha256 text)`;
  return db;
}

const pools = new Map<Db, Pool>();
const deps = (db: Db, a: Analyzer = analyzer) => ({ db, clock: systemClock, analyzer: a, pool: pools.get(db) });

/** Each report → the sorted ids of the reports sharing its incident, its score and its incident's aggregate. */
async function outcome(db: Db) {
  const rows = await db.$queryRaw<
    Array<{
      id: string;
      incidentId: string | null;
      status: string;
      assignmentScore: number | null;
      terms: string[];
      stance: string | null;
    }>
  >`
    SELECT "id", "incidentId", "status"::text AS status, "assignmentScore", "terms", "stance"::text AS stance FROM "Report"`;
  const members = new Map<string, string[]>();
  for (const r of rows)
    if (r.incidentId) members.set(r.incidentId, [...(members.get(r.incidentId) ?? []), r.id].sort());
  const incidents = new Map((await db.incident.findMany()).map((i) => [i.id, i]));
  return new Map(
    rows.map((r) => {
      const i = r.incidentId ? incidents.get(r.incidentId)! : null;
      return [
        r.id,
        {
          status: r.status,
          group: r.incidentId ? members.get(r.incidentId)!.join(',') : null,
          score: r.assignmentScore,
          terms: r.terms,
          stance: r.stance,
          incident: i && {
            reportCount: i.reportCount,
            terms: i.terms,
            stance: i.stance,
            parties: i.parties,
            languages: i.languages,
            severity: i.severity,
            firstObservedAt: i.firstObservedAt.toISOString(),
            lastObservedAt: i.lastObservedAt.toISOString(),
            geoCell: i.geoCell,
            lat: i.lat === null ? null : Number(i.lat.toFixed(9)),
            lon: i.lon === null ? null : Number(i.lon.toFixed(9)),
          },
        },
      ];
    }),
  );
}

async function consistent(db: Db) {
  const [row] = await db.$queryRaw<Array<{ mismatched: number; counted: number; members: number }>>`
    SELECT count(*) FILTER (WHERE i."reportCount" <> (SELECT count(*) FROM "Report" r WHERE r."incidentId" = i."id"))::int AS mismatched,
      COALESCE(sum(i."reportCount"), 0)::int AS counted, (SELECT count(*) FROM "Report" WHERE "incidentId" IS NOT NULL)::int AS members
    FROM "Incident" i`;
  expect(row!.mismatched).toBe(0);
  expect(row!.counted).toBe(row!.members);
}

describe('batched processing', () => {
  let oneByOne: Map<string, unknown>;
  let batched: Db;

  it('gives the same incidents, scores and aggregates as one-by-one processing in the same order', async () => {
    const single = await world();
    for (const id of ids) expect(await processReport(deps(single), id)).toBe('processed');
    oneByOne = await outcome(single);
    const groups = new Set([...oneByOne.values()].map((o) => (o as { group: string }).group));
    // The sets are about events told several times: dedup must have grouped some, not all.
    expect(groups.size).toBeLessThan(ids.length - 20);
    expect(groups.size).toBeGreaterThan(20);
    await consistent(single);

    for (const size of [16, 64]) {
      const db = await world();
      for (let i = 0; i < ids.length; i += size) {
        const out = await processBatch(
          deps(db),
          ids.slice(i, i + size).map((reportId) => ({ reportId, attempt: 1 })),
        );
        expect(out.every((o) => o === 'processed')).toBe(true);
      }
      expect(await outcome(db)).toEqual(oneByOne);
      await consistent(db);
      batched = db;
    }
  });

  it('changes nothing when a batch runs again', async () => {
    const before = await batched.$queryRaw<unknown[]>`SELECT * FROM "Report" ORDER BY "id"`;
    const incidents = await batched.$queryRaw<unknown[]>`SELECT * FROM "Incident" ORDER BY "id"`;
    const out = await processBatch(
      deps(batched),
      ids.slice(0, 40).map((reportId) => ({ reportId, attempt: 2 })),
    );
    expect(out.every((o) => o === 'unchanged')).toBe(true);
    expect(await batched.$queryRaw<unknown[]>`SELECT * FROM "Report" ORDER BY "id"`).toEqual(before);
    expect(await batched.$queryRaw<unknown[]>`SELECT * FROM "Incident" ORDER BY "id"`).toEqual(incidents);
  });

  it('hands corrections and repeated reports back to processReport, and the batcher settles each job with its own outcome', async () => {
    const corrected = ids[7]!;
    await batched.$executeRaw`UPDATE "Report" SET "correction" = ${JSON.stringify({ terms: ['hostilities'], stance: 'violation', by: 'reviewer' })}::jsonb WHERE "id" = ${corrected}::uuid`;
    const missing = randomUUID();
    const items = [corrected, ids[8]!, ids[8]!, missing].map((reportId) => ({ reportId, attempt: 1 }));
    expect(await processBatch(deps(batched), items)).toEqual(['deferred', 'unchanged', 'deferred', 'missing']);
    const batcher = createBatcher(deps(batched), { maxBatch: 8, maxWaitMs: 5 });
    expect(await Promise.all(items.map((i) => batcher.submit(i.reportId, 1)))).toEqual([
      'corrected',
      'unchanged',
      'unchanged',
      'missing',
    ]);
    const r = await batched.report.findUniqueOrThrow({ where: { id: corrected } });
    expect(r).toMatchObject({ terms: ['hostilities'], stance: 'violation', confidence: 1 });
    await consistent(batched);
  });

  it('falls back to one-by-one when a batch fails: only the bad report fails, its neighbours are processed', async () => {
    const db = await world();
    const bad = ids[5]!;
    const broken: Analyzer = {
      ...analyzer,
      analyze: (r) => {
        if (r.id === bad) throw new Error('cannot read this one');
        return analyzer.analyze(r);
      },
    };
    const errors: unknown[] = [];
    const batcher = createBatcher(deps(db, broken), {
      maxBatch: 10,
      maxWaitMs: 5,
      onBatchError: (e) => errors.push(e),
    });
    const results = await Promise.allSettled(ids.slice(0, 10).map((id) => batcher.submit(id, 1)));
    expect(errors).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(ids.slice(0, 10).map((id) => (id === bad ? 'rejected' : 'fulfilled')));
    expect(await db.report.count({ where: { status: 'processed' } })).toBe(9);
    expect((await db.report.findUniqueOrThrow({ where: { id: bad } })).status).toBe('received');
    await consistent(db);
  });

  it('commits one batch at a time per process: the next forms meanwhile and takes every job that came', async () => {
    const db = await world();
    // The pool as the batches see it, counting the transactions open at once (each batch holds one client).
    const pool = pools.get(db)!;
    let open = 0;
    let mostOpen = 0;
    let transactions = 0;
    const counted = {
      connect: async () => {
        const client = await pool.connect();
        transactions++;
        mostOpen = Math.max(mostOpen, ++open);
        const release = client.release.bind(client);
        client.release = (err?: Error | boolean) => {
          open--;
          return release(err);
        };
        return client;
      },
    } as unknown as Pool;
    const batcher = createBatcher({ ...deps(db), pool: counted }, { maxBatch: 8, maxWaitMs: 5 });
    // 40 jobs at once: five full batches, one after the other (before, all five started together).
    const first = Promise.all(ids.slice(0, 40).map((id) => batcher.submit(id, 1)));
    // 30 more while those commit: they wait, then go in full batches of 8 (4 batches), not one batch each.
    await new Promise((r) => setTimeout(r, 10));
    const later: Array<Promise<string>> = [];
    for (const id of ids.slice(40, 70)) {
      later.push(batcher.submit(id, 1));
      await new Promise((r) => setImmediate(r));
    }
    expect(new Set(await first)).toEqual(new Set(['processed']));
    expect(new Set(await Promise.all(later))).toEqual(new Set(['processed']));
    expect(mostOpen).toBe(1);
    expect(transactions).toBe(9);
    expect(await db.report.count({ where: { status: 'processed' } })).toBe(70);
    await consistent(db);
  });

  it('keeps reports side by side when batches hold one report each (PIPELINE_BATCH_SIZE=1)', async () => {
    const db = await world();
    // processReport's transactions open at once, counted around the client's $transaction.
    let open = 0;
    let mostOpen = 0;
    const counted = new Proxy(db, {
      get(target, prop) {
        if (prop === '$transaction')
          return async (...args: Parameters<Db['$transaction']>) => {
            mostOpen = Math.max(mostOpen, ++open);
            try {
              return await (target.$transaction as (...a: unknown[]) => Promise<unknown>)(...args);
            } finally {
              open--;
            }
          };
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const batcher = createBatcher({ ...deps(db), db: counted }, { maxBatch: 1, maxWaitMs: 5 });
    const outcomes = await Promise.all(ids.slice(0, 6).map((id) => batcher.submit(id, 1)));
    expect(new Set(outcomes)).toEqual(new Set(['processed']));
    expect(mostOpen).toBeGreaterThan(1);
    await consistent(db);
  });
});
