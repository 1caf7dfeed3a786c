// A report joins the incident dedup picked, but dedup reads its candidates without locks: a merge that commits
// between that read and the join has already moved the incident's members to the survivor. The join must follow
// the merge, or the report is left alone in an incident that no queue shows. The merge is made to land exactly in
// that window: the analyzer's assign step (inside the pipeline's transaction, after the lookup) runs it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/db.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import { systemClock } from '../../../src/clock.ts';
import type { Pool } from 'pg';
import {
  createAnalyzer,
  createPgPool,
  pgTx,
  processBatch,
  processReport,
  type Analyzer,
} from '../../../src/pipeline/index.ts';
import { mergeIncidents, mergeInTransaction } from '../../../src/incidents/merge.ts';
import { mergeTiedIncidents } from '../../../src/incidents/auto-merge.ts';
import { loadAgreement } from '../../../src/agreements/index.ts';
import { joinTargets } from '../../../src/incidents/aggregate.ts';
import { insertIncidents } from '../../helpers/factories.ts';
import { waitFor } from '../../helpers/wait.ts';

const base = createAnalyzer('libya-2020');
const termIds = loadAgreement('libya-2020').terms.map((t) => t.id);
let db: Db;
let pool: Pool;
let drop: () => Promise<void>;
let observerId: string;

beforeAll(async () => {
  const t = await createTestDatabase();
  db = createDb(t.url, { max: 4 });
  pool = createPgPool(t.url, 2);
  drop = t.drop;
  observerId = (
    await db.user.create({ data: { username: 'observer', passwordHash: 'x', role: 'observer', displayName: 'O' } })
  ).id;
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.$disconnect();
  await drop?.();
});

const SHELLING =
  'Heavy shelling hit the eastern outskirts of Abu Grein at dawn; three houses destroyed, two civilians wounded.';

async function report(narrative: string, lat: number, lon: number, at: string): Promise<string> {
  const id = randomUUID();
  await db.$executeRaw`
    INSERT INTO "Report" ("id", "clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "accuracyM", "narrative", "partyAlleged")
    VALUES (${id}::uuid, gen_random_uuid(), ${observerId}::uuid, ${randomUUID()}, ${new Date(at)}, ${lat}, ${lon}, 100, ${narrative}, 'unknown')`;
  return id;
}
const incidentOf = async (id: string) => (await db.report.findUniqueOrThrow({ where: { id } })).incidentId!;

/** An analyzer whose first decision to join `victim` is preceded by a merge of `victim` into `survivor`. */
function mergingOnce(victim: () => string, survivor: () => string): Analyzer & { merged: boolean } {
  const a = {
    ...base,
    merged: false,
    async assign(...args: Parameters<Analyzer['assign']>) {
      const decision = await base.assign(...args);
      if (!a.merged && decision.incidentId === victim()) {
        a.merged = true;
        // Its own transaction, committed before this one goes on: this run holds no lock the merge needs.
        await mergeIncidents({ db, clock: systemClock, termIds }, { id: null, username: 'test' }, survivor(), victim());
      }
      return decision;
    },
  };
  return a;
}

describe('a join racing a merge', () => {
  for (const path of ['one report', 'a batch'] as const) {
    it(`${path}: the report lands in the incident that survived, never in the merged-away one`, async () => {
      const day = path === 'a batch' ? '2021-07-15' : '2021-03-04';
      const first = await report(SHELLING, 31.05, 15.7, `${day}T06:10:00+02:00`);
      const other = await report(
        'Armed men stopped a fuel tanker on the coastal road near Zuwara and took the driver.',
        32.93,
        12.08,
        `${day}T09:00:00+02:00`,
      );
      const deps = { db, clock: systemClock, analyzer: base, pool };
      await processReport(deps, first);
      await processReport(deps, other);
      const [victim, survivor] = [await incidentOf(first), await incidentOf(other)];
      expect(victim).not.toBe(survivor);

      const late = await report(SHELLING, 31.051, 15.701, `${day}T06:40:00+02:00`);
      const analyzer = mergingOnce(
        () => victim,
        () => survivor,
      );
      const racing = { ...deps, analyzer };
      if (path === 'a batch') await processBatch(racing, [{ reportId: late, attempt: 1 }]);
      else await processReport(racing, late);
      expect(analyzer.merged).toBe(true);

      expect((await db.incident.findUniqueOrThrow({ where: { id: victim } })).mergedIntoId).toBe(survivor);
      expect(await incidentOf(first)).toBe(survivor);
      expect(await incidentOf(late)).toBe(survivor);
      // The survivor's aggregate counts the late report too: nothing is left behind in the merged-away incident.
      expect((await db.incident.findUniqueOrThrow({ where: { id: survivor } })).reportCount).toBe(3);
      expect(await db.report.count({ where: { incidentId: victim } })).toBe(0);
    });
  }

  it('a join locks a merged-away incident and its survivor in id order: a writer holding the survivor meanwhile makes it wait, not deadlock', async () => {
    // The survivor sorts first: a join that took the merged-away incident before following it to the survivor would
    // hold them out of the order every other writer (lockIncidents, lockForAggregate) takes them in.
    const [survivor, mergedAway] = [randomUUID(), randomUUID()].sort() as [string, string];
    await insertIncidents(db, [{ id: survivor }, { id: mergedAway, mergedIntoId: survivor }]);
    let goOn!: () => void;
    const mayGoOn = new Promise<void>((r) => (goOn = r));
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    // Another writer taking both in id order (as a reviewer's merge or split does), one statement at a time.
    const writer = db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Incident" WHERE id = ${survivor}::uuid FOR UPDATE`;
        holding();
        await mayGoOn;
        await tx.$queryRaw`SELECT id FROM "Incident" WHERE id = ${mergedAway}::uuid FOR UPDATE`;
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
    await holds;
    const join = db.$transaction((tx) => joinTargets(tx, [mergedAway]), { timeout: 30_000, maxWait: 10_000 });
    await waitFor(async () => {
      const [row] = await db.$queryRaw<Array<{ n: number }>>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return row!.n > 0;
    }, 'the join waiting for the survivor');
    goOn();
    const [, targets] = await Promise.all([writer, join]);
    expect(targets.get(mergedAway)).toBe(survivor);
  });

  it('a tie whose incident was merged away since is merged into where that incident lives now', async () => {
    const ids = await Promise.all(
      [
        [31.2, 15.1],
        [31.6, 15.9],
        [30.2, 19.0],
      ].map(([lat, lon], i) =>
        report(
          `Separate event ${i}: gunfire reported at night near the checkpoint.`,
          lat!,
          lon!,
          '2021-04-01T22:00:00+02:00',
        ),
      ),
    );
    for (const id of ids) await processReport({ db, clock: systemClock, analyzer: base, pool }, id);
    const [a, b, c] = await Promise.all(ids.map(incidentOf));
    expect(new Set([a, b, c]).size).toBe(3);
    const deps = { db, clock: systemClock, termIds };
    // A reviewer merges a into c before the tie (a with b) is carried out.
    await mergeIncidents(deps, { id: null, username: 'reviewer' }, c!, a!);
    const tie = await mergeTiedIncidents(deps, a!, [b!], ids[0]!);
    expect(tie.merged).toEqual([b]);
    expect((await db.incident.findUniqueOrThrow({ where: { id: b! } })).mergedIntoId).toBe(c);
  });

  it('a tie waiting on a merge that commits meanwhile follows it to the survivor instead of dropping the tie', async () => {
    const ids = await Promise.all(
      [
        [31.2, 15.1],
        [31.6, 15.9],
        [30.2, 19.0],
      ].map(([lat, lon], i) =>
        report(`Unrelated event ${i}: a car bomb reported near the market.`, lat!, lon!, '2021-05-01T10:00:00+02:00'),
      ),
    );
    for (const id of ids) await processReport({ db, clock: systemClock, analyzer: base, pool }, id);
    const [a, b, c] = await Promise.all(ids.map(incidentOf));
    expect(new Set([a, b, c]).size).toBe(3);
    // Another tie merges b into a and holds its transaction open while the tie of b with c looks b up.
    const holder = await pool.connect();
    const own = createPgPool(pool.options.connectionString!, 1);
    try {
      await holder.query('BEGIN');
      await mergeInTransaction(pgTx(holder), systemClock, { id: null, username: 'dedup' }, a!, b!);
      const tie = mergeTiedIncidents({ db, clock: systemClock, termIds, pool: own }, b!, [c!], ids[2]!);
      await waitFor(async () => {
        const [row] = await db.$queryRaw<Array<{ n: number }>>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
        return row!.n > 0;
      }, 'the tie waiting for b');
      await holder.query('COMMIT');
      // b now lives in a: the report still ties a and c.
      expect(await tie).toEqual({ merged: [c], skipped: [] });
    } finally {
      holder.release();
      await own.end();
    }
    expect((await db.incident.findUniqueOrThrow({ where: { id: c! } })).mergedIntoId).toBe(a);
  });

  it('two ties decided apart never merge an incident past the span a join may give it', async () => {
    // Three incidents 40 h apart at one place: each tie alone (b with a, b with c) stays within 72 h, as dedup checked
    // when it decided them (each against the incidents as they were then), but carried out one after the other the
    // second would make an incident of 80 h.
    const ids: string[] = [];
    for (const at of ['2021-06-01T00:00:00Z', '2021-06-02T16:00:00Z', '2021-06-04T08:00:00Z']) {
      const id = await report(SHELLING, 30.5, 18.2, at);
      await processReport({ db, clock: systemClock, analyzer: base, pool }, id);
      ids.push(id);
    }
    const [a, b, c] = await Promise.all(ids.map(incidentOf));
    expect(new Set([a, b, c]).size).toBe(3);
    const deps = { db, clock: systemClock, termIds, pool };
    expect(await mergeTiedIncidents(deps, b!, [a!], ids[1]!)).toEqual({ merged: [a], skipped: [] });
    const second = await mergeTiedIncidents(deps, b!, [c!], ids[2]!);
    expect(second.merged).toEqual([]);
    expect(second.skipped).toEqual([{ id: c, reason: expect.stringMatching(/would span more than 72 h/) }]);
    expect((await db.incident.findUniqueOrThrow({ where: { id: c! } })).mergedIntoId).toBeNull();
    const survivor = await db.incident.findUniqueOrThrow({ where: { id: b! } });
    expect(survivor.lastObservedAt.getTime() - survivor.firstObservedAt.getTime()).toBe(40 * 3_600_000);
  });
});
