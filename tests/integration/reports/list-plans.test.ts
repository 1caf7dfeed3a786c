// The reports table's plans on a few thousand reports: the statements Prisma sends for the list (captured from its
// query log, so the test follows any change of filters.ts) explained by PostgreSQL. `flagged=true` reads the partial
// index of flagged reports in the page's order instead of scanning and sorting every report. No timings: plans only.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.ts';
import { PrismaClient } from '../../../src/generated/prisma/client.ts';
import { listReports } from '../../../src/reports/list.ts';
import { ReportListQuery } from '../../../src/reports/schema.ts';
import type { AuthUser } from '../../../src/users/index.ts';
import { createTestDatabase } from '../../helpers/db.ts';

const N = 5000;
const admin: AuthUser = {
  id: '00000000-0000-4000-8000-0000000000ad',
  username: 'admin',
  role: 'admin',
  displayName: null,
};
let t: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Client;
let db: Db;
const sent: Array<{ query: string; params: string }> = [];

beforeAll(async () => {
  t = await createTestDatabase();
  sql = new pg.Client({ connectionString: t.url });
  await sql.connect();
  await sql.query(`INSERT INTO "User" (id, username, "passwordHash", role)
                   VALUES ('00000000-0000-4000-8000-00000000000b', 'observer', 'x', 'observer')`);
  // One report in a hundred has a doubt, as in the field; observed and received in different orders.
  await sql.query(`
    INSERT INTO "Report" (id, "clientId", "observerId", "contentHash", "observedAt", "receivedAt", "placeName",
                          narrative, status, flags)
    SELECT gen_random_uuid(), gen_random_uuid(), '00000000-0000-4000-8000-00000000000b', md5(n::text),
           timestamptz '2020-10-23' + (n || ' minutes')::interval,
           timestamptz '2020-10-23' + ((n * 7919 % ${N}) || ' minutes')::interval,
           (ARRAY['Sirte', 'Misrata', 'Brega', 'Sabha'])[1 + n % 4], 'generated', 'processed',
           CASE WHEN n % 100 = 0 THEN '[{"code": "clock_ahead"}]'::jsonb ELSE '[]'::jsonb END
    FROM generate_series(1, ${N}) AS n`);
  await sql.query('ANALYZE "Report"');
  const logged = new PrismaClient({
    adapter: new PrismaPg({ connectionString: t.url, max: 1 }),
    log: [{ emit: 'event', level: 'query' }],
  });
  logged.$on('query', (e) => sent.push({ query: e.query, params: e.params }));
  db = logged;
}, 120_000);
afterAll(async () => {
  await db?.$disconnect();
  await sql?.end();
  await t?.drop();
});

/** PostgreSQL's plan of the statement that reads the list's page of reports for `query`. */
async function planOf(query: Record<string, string>): Promise<{ plan: string; nextCursor: string | null }> {
  sent.length = 0;
  const page = await listReports(
    { db, tz: 'Africa/Tripoli', pseudonym: (id) => id },
    admin,
    ReportListQuery.parse(query),
  );
  const statement = sent.find((s) => /FROM "public"\."Report"/.test(s.query) && /ORDER BY/.test(s.query));
  expect(statement, sent.map((s) => s.query).join('\n')).toBeDefined();
  const explained = await sql.query(`EXPLAIN ${statement!.query}`, JSON.parse(statement!.params) as unknown[]);
  return {
    plan: explained.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n'),
    nextCursor: page.nextCursor,
  };
}

describe(`the reports list on ${N} reports`, () => {
  it.each([
    ['-observed', 'Report_flagged_observedAt_id_idx'],
    ['-received', 'Report_flagged_receivedAt_id_idx'],
  ])(
    'flagged=true under sort=%s reads %s, without a scan or a sort, and further pages within it',
    async (sort, index) => {
      const first = await planOf({ flagged: 'true', sort, limit: '20' });
      expect(first.plan).toContain(index);
      expect(first.plan).not.toMatch(/Seq Scan on "Report"|\bSort\b/);
      // Further pages stay within the flagged reports (on so few, sorting them all may cost the planner the same).
      const next = await planOf({ flagged: 'true', sort, limit: '20', cursor: first.nextCursor! });
      expect(next.plan).toMatch(/Report_flagged_(observedAt|receivedAt)_id_idx/);
      expect(next.plan).not.toMatch(/Seq Scan on "Report"/);
    },
  );

  it('the unfiltered orders still read their (key, id) index', async () => {
    expect((await planOf({ sort: '-observed' })).plan).toContain('Report_observedAt_id_idx');
    expect((await planOf({ sort: '-received' })).plan).toContain('Report_receivedAt_id_idx');
  });
});
