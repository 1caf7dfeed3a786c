import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgreement } from '../../../src/agreements/index.ts';

import { verifyAuditChain } from '../../../src/audit/index.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import {
  compileDigest,
  createDigest,
  getDigest,
  listDigests,
  loadDigestInput,
  previousPeriod,
} from '../../../src/digests/index.ts';
import type { DigestInput } from '../../../src/digests/types.ts';
import { NotFound } from '../../../src/errors.ts';
import { createTestDatabase } from '../../helpers/db.ts';
import { CURRENT, FROM, PREVIOUS, TO, uuid } from '../../fixtures/digest-week.ts';

const agreement = loadAgreement('libya-2020');

let n = 0;
const clock = { now: () => new Date(Date.parse('2021-01-18T04:00:00Z') + 1000 * ++n) };

async function seed(db: Db, input: DigestInput, observerId: string, extra: { mergedIntoId?: string } = {}) {
  await db.incident.createMany({
    data: input.incidents.map((i) => ({ ...i, mergedIntoId: extra.mergedIntoId ?? null })),
  });
  await db.report.createMany({
    data: (input.reports ?? []).map((r) => ({
      id: r.id,
      incidentId: r.incidentId,
      terms: r.terms,
      stance: r.stance,
      partyAlleged: r.partyAlleged as 'LAAF',
      observedAt: r.observedAt,
      placeName: r.placeName,
      lat: r.lat,
      lon: r.lon,
      language: r.language,
      clientId: randomUUID(),
      observerId,
      contentHash: '0'.repeat(64),
      narrative: 'seeded for the digest test',
      status: 'processed' as const,
    })),
  });
}

describe('createDigest against PostgreSQL', () => {
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;
  let reviewerId: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb(tdb.url);
    const observer = await db.user.create({ data: { username: 'obs1', passwordHash: 'x', role: 'observer' } });
    reviewerId = (await db.user.create({ data: { username: 'rev1', passwordHash: 'x', role: 'commission' } })).id;
    await seed(db, CURRENT, observer.id);
    await seed(db, PREVIOUS, observer.id);
    // noise the digest must ignore: an incident merged into another, and one from the following week
    const t = new Date('2021-01-12T10:00:00Z');
    const stray = (id: string, at: Date) => ({
      id,
      state: 'verified' as const,
      terms: ['hostilities'],
      stance: 'violation' as const,
      parties: ['LAAF'],
      placeName: 'Sirte',
      lat: 31.2,
      lon: 16.6,
      firstObservedAt: at,
      lastObservedAt: at,
      reportCount: 1,
      summary: null,
      severity: 9,
    });
    await seed(db, { incidents: [stray(uuid(900), t)], reports: [] }, observer.id, { mergedIntoId: uuid(1) });
    await seed(db, { incidents: [stray(uuid(901), new Date('2021-01-19T10:00:00Z'))], reports: [] }, observer.id);
  });
  afterAll(async () => {
    await db.$disconnect();
    await tdb.drop();
  });

  it('loads exactly the period rows and compiles the same digest as the hand-built fixture', async () => {
    const loaded = await loadDigestInput(db, { from: FROM, to: TO });
    expect(loaded.incidents.map((i) => i.id).sort()).toEqual(CURRENT.incidents.map((i) => i.id).sort());
    const byKey = (a: object, b: object) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(loaded.reportGroups!.sort(byKey)).toEqual([
      { day: '2021-01-11', language: 'ar', terms: ['hostilities'], count: 1 },
      { day: '2021-01-11', language: 'ar', terms: ['mercenary_withdrawal', 'troop_return'], count: 1 },
      { day: '2021-01-11', language: 'en', terms: ['hostilities'], count: 1 },
      { day: '2021-01-12', language: 'ar', terms: ['hostilities'], count: 1 },
      { day: '2021-01-13', language: 'en', terms: ['mercenary_withdrawal'], count: 1 },
      { day: '2021-01-17', language: null, terms: ['road_opening'], count: 1 },
    ]);
    const created = await createDigest(
      db,
      { from: FROM, to: TO, trigger: 'on_demand', requestedById: reviewerId },
      clock,
      agreement,
    );
    // incident 4 began in the previous week and ran into this one, so it counts in both
    const straddling = CURRENT.incidents.find((i) => i.id === uuid(4))!;
    const previous = (await loadDigestInput(db, previousPeriod(FROM, TO))).incidents.map((i) => i.id).sort();
    expect(previous).toEqual([...PREVIOUS.incidents.map((i) => i.id), straddling.id].sort());
    const expected = compileDigest(CURRENT, agreement, {
      from: FROM,
      to: TO,
      previous: { incidents: [...PREVIOUS.incidents, straddling], reports: [] },
    });
    expect(created.data).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(created.contentHash).toBe(expected.contentHash);
    expect(created.data.terms.troop_return.change?.violations).toEqual({ previous: 1, delta: 0, percent: 0 });
    expect(created.data.terms.hostilities).toMatchObject({
      violations: 2,
      compliance: 0,
      verified: 1,
      verifiedViolations: 1,
      unverifiedViolations: 1,
      change: { violations: { previous: 3, delta: -1, percent: -33.3 } },
    });
    expect(created.data.terms.mercenary_withdrawal).toMatchObject({ violations: 1, compliance: 1, verified: 1 });
    expect(created.data.totals).toMatchObject({ incidents: 7, reports: 6, verified: 3, rejected: 1 });
    expect(created.data.topPlaces[0]).toEqual({
      placeName: 'Sirte',
      incidents: 2,
      violations: 2,
      compliance: 0,
      verified: 1,
      lat: 31.225,
      lon: 16.625,
    });

    const stored = await getDigest(db, created.id);
    expect(stored).toMatchObject({
      periodFrom: FROM,
      periodTo: TO,
      trigger: 'on_demand',
      requestedById: reviewerId,
      agreementId: 'libya-2020',
      contentHash: expected.contentHash,
    });
    expect(stored.data).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('is reproducible: the same range gives the same contentHash, and each digest is audited', async () => {
    const again = await createDigest(db, { from: FROM, to: TO, trigger: 'scheduled' }, clock, agreement);
    // the scheduler retrying the same week gets the digest it already filed
    expect((await createDigest(db, { from: FROM, to: TO, trigger: 'scheduled' }, clock, agreement)).id).toBe(again.id);
    const first = (await listDigests(db, { limit: 10 })).items.find((d) => d.id !== again.id)!;
    expect(again.contentHash).toBe(first.contentHash);
    const audits = await db.auditEvent.findMany({ where: { action: 'digest_created' }, orderBy: { seq: 'asc' } });
    expect(audits.map((a) => [a.entityId, a.actorId, a.actorName])).toEqual([
      [first.id, reviewerId, null],
      [again.id, null, 'scheduled'],
    ]);
    expect(audits[1].after).toEqual({
      periodFrom: FROM.toISOString(),
      periodTo: TO.toISOString(),
      trigger: 'scheduled',
      contentHash: again.contentHash,
    });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 2 });
  });

  it('lists newest first with a cursor, and refuses unknown ids and empty ranges', async () => {
    const page1 = await listDigests(db, { limit: 1 });
    const page2 = await listDigests(db, { limit: 1, cursor: page1.nextCursor });
    expect(page1.items).toHaveLength(1);
    expect(page2.items).toHaveLength(1);
    expect(page1.items[0].trigger).toBe('scheduled');
    expect(page2.items[0].trigger).toBe('on_demand');
    expect(page2.nextCursor).toBeNull();
    expect(page1.items[0]).not.toHaveProperty('data');
    await expect(getDigest(db, randomUUID())).rejects.toBeInstanceOf(NotFound);
    await expect(getDigest(db, 'not-an-id')).rejects.toBeInstanceOf(NotFound);
    await expect(createDigest(db, { from: TO, to: FROM, trigger: 'on_demand' }, clock, agreement)).rejects.toThrow(
      /must be after from/,
    );
  });
});
