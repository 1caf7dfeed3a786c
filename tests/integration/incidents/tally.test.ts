// Incident aggregates kept by folding each joining report into the incident's stored tally equal, after any
// sequence of joins (random members, out-of-order times, several languages and terms, a reviewer's correction,
// reports split out and recomputed in between), what a full recompute from all the members gives.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/db.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import {
  computeIncidentAggregate,
  insertIncidents,
  joinIncidents,
  recomputeIncidents,
  type AggregateMember,
  type IncidentCorrection,
  type Tally,
} from '../../../src/incidents/aggregate.ts';
import { expectSameAggregate, memberArb } from '../../helpers/factories.ts';

let db: Db;
let observerId: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  const t = await createTestDatabase();
  db = createDb(t.url, { max: 4 });
  drop = async () => {
    await db.$disconnect();
    await t.drop();
  };
  observerId = (await db.user.create({ data: { username: 'observer', passwordHash: 'x', role: 'observer' } })).id;
});
afterAll(async () => {
  await drop();
});

/** Member reports written as the pipeline leaves them (the columns the aggregate reads). */
async function insertMembers(incidentId: string, members: AggregateMember[]): Promise<string[]> {
  const rows = members.map((m) => ({ ...m, id: randomUUID(), observedAt: m.observedAt.toISOString() }));
  await db.$executeRaw`
    INSERT INTO "Report" ("id", "clientId", "observerId", "contentHash", "observedAt", "lat", "lon", "resolvedLat", "resolvedLon", "geoCell",
      "placeName", "resolvedPlace", "narrative", "language", "partyAlleged", "casualties", "terms", "stance", "confidence", "status", "incidentId")
    SELECT v.id, gen_random_uuid(), ${observerId}::uuid, md5(v.id::text) || md5(v.id::text), v."observedAt", v.lat, v.lon, v."resolvedLat",
      v."resolvedLon", v."geoCell", v."placeName", v."resolvedPlace", 'n', v.language, v."partyAlleged"::"Party", v.casualties, v.terms,
      v.stance::"Stance", v.confidence, 'processed', ${incidentId}::uuid
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id uuid, "observedAt" timestamptz, lat float8, lon float8, "resolvedLat" float8,
      "resolvedLon" float8, "geoCell" text, "placeName" text, "resolvedPlace" text, language text, "partyAlleged" text, casualties jsonb,
      terms text[], stance text, confidence float8)`;
  return rows.map((r) => r.id);
}

async function stored(id: string) {
  const i = await db.incident.findUniqueOrThrow({ where: { id } });
  return { ...i, tally: i.tally as unknown as Tally };
}

const byTime = (ms: AggregateMember[]) => [...ms].sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime());

/** Joins `members` to the incident in chunks, as batches of the pipeline would. */
async function joinInChunks(incidentId: string, members: AggregateMember[], chunks: number[]) {
  let at = 0;
  for (const size of chunks) {
    if (at >= members.length) break;
    const chunk = members.slice(at, at + size);
    at += chunk.length;
    await db.$transaction(async (tx) => {
      await insertMembers(incidentId, chunk);
      await joinIncidents(tx, new Map([[incidentId, chunk]]));
    });
  }
  if (at < members.length) await joinInChunks(incidentId, members.slice(at), [members.length - at]);
}

describe('incremental incident aggregates', () => {
  it('equal the full recompute after random joins, a correction, and a split', async () => {
    const runs = fc.sample(
      fc.record({
        members: fc.array(memberArb, { minLength: 2, maxLength: 60 }),
        chunks: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 20 }),
        split: fc.integer({ min: 0, max: 100 }),
        later: fc.array(memberArb, { minLength: 1, maxLength: 10 }),
      }),
      { numRuns: 12, seed: 35_000 },
    );
    for (const run of runs) {
      const [first, ...rest] = run.members;
      const [id] = await db.$transaction((tx) => insertIncidents(tx, [{ members: [first!] }]));
      await insertMembers(id!, [first!]);
      await joinInChunks(id!, rest, run.chunks);
      expectSameAggregate(await stored(id!), computeIncidentAggregate(byTime(run.members), null));

      // A full recompute writes the same tally the joins built.
      const incremental = (await stored(id!)).tally;
      await db.$transaction((tx) => recomputeIncidents(tx, [id!]));
      const full = (await stored(id!)).tally;
      expect({ ...full, confidence: null, gps: null, resolved: null }).toEqual({
        ...incremental,
        confidence: null,
        gps: null,
        resolved: null,
      });
      for (const k of ['confidence', 'gps', 'resolved'] as const)
        full[k].forEach((x, i) => expect(x).toBeCloseTo(incremental[k][i]!, 9));

      // Split: some reports leave for a new incident; both are recomputed, then both take more joins.
      const reports = await db.report.findMany({
        where: { incidentId: id! },
        orderBy: { id: 'asc' },
        select: { id: true },
      });
      const leaving = reports
        .slice(0, Math.max(1, Math.floor(((reports.length - 1) * run.split) / 100)))
        .map((r) => r.id);
      const [other] = await db.$transaction((tx) => insertIncidents(tx, [{ members: [first!] }]));
      await db.report.updateMany({ where: { id: { in: leaving } }, data: { incidentId: other! } });
      await db.$transaction((tx) => recomputeIncidents(tx, [id!, other!]));
      await db.incident.update({
        where: { id: other! },
        data: { correction: { stance: 'compliance', terms: ['road_opening'] } },
      });
      await joinInChunks(id!, run.later, [2, 3]);
      await joinInChunks(other!, run.later, [1, 5]);
      const corrections: Array<[string, IncidentCorrection | null]> = [
        [id!, null],
        [other!, { stance: 'compliance', terms: ['road_opening'] }],
      ];
      for (const [incident, correction] of corrections) {
        const members = await db.$queryRaw<AggregateMember[]>`
          SELECT "lat", "lon", "resolvedLat", "resolvedLon", "geoCell", "placeName", "resolvedPlace", "observedAt", "language",
            "partyAlleged"::text AS "partyAlleged", "casualties", "terms", "stance"::text AS stance, "confidence"
          FROM "Report" WHERE "incidentId" = ${incident}::uuid ORDER BY "observedAt", "id"`;
        expectSameAggregate(await stored(incident), computeIncidentAggregate(members, correction));
      }
    }
  });

  it('recomputes an incident stored before tallies existed at its first join', async () => {
    const [m1, m2, m3] = fc.sample(memberArb, { numRuns: 3, seed: 7 });
    const [id] = await db.$transaction((tx) => insertIncidents(tx, [{ members: [m1!] }]));
    await insertMembers(id!, [m1!, m2!]);
    await db.$executeRaw`UPDATE "Incident" SET "tally" = NULL, "reportCount" = 1 WHERE "id" = ${id!}::uuid`;
    await db.$transaction(async (tx) => {
      await insertMembers(id!, [m3!]);
      await joinIncidents(tx, new Map([[id!, [m3!]]]));
    });
    const i = await stored(id!);
    expect(i.tally.n).toBe(3);
    expectSameAggregate(i, computeIncidentAggregate(byTime([m1!, m2!, m3!]), null));
  });
});
