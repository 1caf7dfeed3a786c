// The queue at 100k incidents: first pages, filtered pages, deep keyset pages and counts stay fast.
// Rows are generated in SQL, which takes seconds instead of minutes through the ORM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';

const N = 100_000;
// No wall-clock assertions: the machine is shared and noisy (timings are printed, and measured properly by
// `npm run bench`). The plan assertions guard the design: keyset pages read an index range, never sort 100k rows.
let s: TestServer;
let member: TestUser;
let api: ReturnType<typeof bearer>;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  member = await s.makeUser('commission');
  api = bearer(s.url, member.token);
  await s.rt.db.$executeRawUnsafe(`
    INSERT INTO "Incident" (state, terms, stance, parties, confidence, severity, lat, lon, "placeName",
                            "firstObservedAt", "lastObservedAt", "reportCount", languages, summary, "updatedAt")
    SELECT (ARRAY['new','under_review','verified','rejected','needs_info'])[1 + n % 5]::"IncidentState",
           ARRAY[(ARRAY['hostilities','arms_transfer','road_opening','mines_uxo','troop_return','mercenary_withdrawal'])[1 + n % 6]],
           (ARRAY['violation','compliance','information'])[1 + n % 3]::"Stance",
           ARRAY[(ARRAY['LAAF','GNA','foreign'])[1 + n % 3]],
           (n % 100) / 100.0, (n / 7) % 6, 25 + (n % 800) / 100.0, 10 + (n % 1500) / 100.0,
           (ARRAY['Sirte','Misrata','Brega','Tripoli','Sabha','Jufra'])[1 + n % 6],
           timestamptz '2020-10-23' + (n || ' minutes')::interval, timestamptz '2020-10-23' + ((n + 30) || ' minutes')::interval,
           1 + n % 9, ARRAY[(ARRAY['en','ar'])[1 + n % 2]], 'generated', now()
    FROM generate_series(1, ${N}) AS n`);
  await s.rt.db.$executeRawUnsafe('ANALYZE "Incident"');
}, 180_000);
afterAll(async () => {
  await s?.close();
});

async function timed(path: string) {
  await api.get(path); // warm the plan and the connection
  const t0 = performance.now();
  const r = await api.get(path);
  const ms = performance.now() - t0;
  expect(r.status, r.text).toBe(200);
  return { body: r.body, ms };
}

describe(`queue at ${N} incidents`, () => {
  it('serves first, filtered and deep pages with counts', async () => {
    const paths = [
      '/api/incidents',
      '/api/incidents?sort=-age',
      '/api/incidents?state=new&sort=-reports',
      '/api/incidents?term=hostilities&party=LAAF&sort=age',
      '/api/incidents?bbox=15,30,18,32&language=ar&minConfidence=0.5',
      '/api/incidents?from=2020-11-01&to=2020-11-07&stance=violation',
      '/api/incidents?place=sirt',
    ];
    const timings: Record<string, number> = {};
    for (const p of paths) {
      const { body, ms } = await timed(p);
      timings[p] = Math.round(ms);
      expect(body.items.length).toBeGreaterThan(0);
    }
    const all = (await api.get('/api/incidents')).body;
    expect(Object.values(all.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(N);

    // 20 pages deep by cursor costs the same as the first page.
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++)
      cursor = (await api.get(`/api/incidents?limit=200${cursor ? `&cursor=${cursor}` : ''}`)).body.nextCursor;
    const deep = await timed(`/api/incidents?limit=200&cursor=${cursor}`);
    timings.deep = Math.round(deep.ms);
    console.info('queue timings (ms)', timings);
    expect(deep.body.items).toHaveLength(200);
  });

  it('finds a rare place by any part of its name through the trigram index, not by reading every incident', async () => {
    await s.rt.db.$executeRawUnsafe(`
      INSERT INTO "Incident" (state, terms, stance, parties, confidence, severity, "placeName", "firstObservedAt",
                              "lastObservedAt", "reportCount", languages, summary, "updatedAt")
      SELECT 'new', ARRAY['hostilities'], 'violation', ARRAY['LAAF'], 0.9, 3, 'Bir al-Ghanam', now(), now(), 1,
             ARRAY['en'], 'generated', now()
      FROM generate_series(1, 3)`);
    await s.rt.db.$executeRawUnsafe('ANALYZE "Incident"');
    const plan = await s.rt.db.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(
      `EXPLAIN SELECT id FROM "Incident" WHERE "mergedIntoId" IS NULL AND "placeName" ILIKE '%ghanam%'`,
    );
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('Incident_placeName_trgm_idx');
    expect(text).not.toMatch(/Seq Scan/);
    const found = (await api.get('/api/incidents?place=ghanam')).body;
    expect(found.items.map((i: { placeName: string }) => i.placeName)).toEqual(Array(3).fill('Bir al-Ghanam'));
  });

  it('pages every sort order off its (key, id) index without sorting the table', async () => {
    for (const [column, index] of [
      ['severity', 'Incident_severity_id_idx'],
      ['"firstObservedAt"', 'Incident_firstObservedAt_id_idx'],
      ['"reportCount"', 'Incident_reportCount_id_idx'],
    ]) {
      for (const dir of ['ASC', 'DESC']) {
        const plan = await s.rt.db.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(
          `EXPLAIN SELECT id FROM "Incident" WHERE "mergedIntoId" IS NULL AND state = 'new' AND (${column}, id) ${dir === 'DESC' ? '<' : '>'} (3, '00000000-0000-0000-0000-000000000000')
           ORDER BY ${column} ${dir}, id ${dir} LIMIT 51`.replace(
            '(3,',
            column === '"firstObservedAt"' ? "(timestamptz '2020-11-01'," : '(3,',
          ),
        );
        const text = plan.map((r) => r['QUERY PLAN']).join('\n');
        expect(text, `${column} ${dir}`).toContain(index);
        expect(text, `${column} ${dir}`).not.toMatch(/\bSort\b/);
      }
    }
  });
});
