// The reports table's API (GET /api/reports): every filter against the real database, in both orders and across
// keyset pages; each bad value a 400 naming the field and the reason; observers still list only their own reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { insertIncidentWithReports, reportRow } from '../../helpers/factories.ts';

let s: TestServer;
let member: TestUser;
let admin: TestUser;
let amina: TestUser;
let omar: TestUser;
const id: Record<string, string> = {};
let incidentId: string;

type Item = {
  id: string;
  observerName: string | null;
  observerNamed: boolean;
  gazetteerPlace: { name: string; nameAr: string } | null;
};

const flag = { code: 'clock_ahead', field: 'observedAt', reported: '2030-01-01T00:00:00Z', inferred: null };

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  member = await s.makeUser('commission');
  admin = await s.makeUser('admin');
  amina = await s.makeUser('observer', `amina_${Date.now()}`);
  omar = await s.makeUser('observer', `omar_${Date.now()}`);
  // Received one minute apart in this order (oldest first); observed in another order, so the two sorts differ.
  const rows: Array<[string, string, Parameters<typeof reportRow>[1]]> = [
    ['sirteLatin', amina.user.id, { placeName: 'Sirte', resolvedPlace: 'Sirte', observedAt: at('2020-11-14T09:00') }],
    [
      'sirteArabic',
      omar.user.id,
      {
        placeName: 'سرت',
        resolvedPlace: null,
        language: 'ar',
        narrative: 'قصف مدفعي شرق المدينة',
        source: 'sms',
        observedAt: at('2020-11-12T10:00'),
      },
    ],
    [
      'misrataFlagged',
      amina.user.id,
      {
        placeName: 'Misrata',
        resolvedPlace: 'Misrata',
        flags: [flag],
        source: 'openrosa',
        terms: ['arms_transfer'],
        stance: 'compliance',
        observedAt: at('2020-11-13T10:00'),
      },
    ],
    // 23:30 UTC on the 14th is 01:30 on the 15th in Libya: a day filter counts it on the 15th.
    [
      'lateNight',
      omar.user.id,
      {
        placeName: 'Ubari',
        resolvedPlace: 'Ubari',
        source: 'api',
        status: 'received',
        terms: [],
        stance: null,
        language: null,
        classification: undefined,
        observedAt: new Date('2020-11-14T23:30:00Z'),
      },
    ],
    [
      'unknownPlace',
      amina.user.id,
      { placeName: 'Wadi Nowhere', resolvedPlace: null, stance: 'information', observedAt: at('2020-11-11T08:00') },
    ],
  ];
  const base = Date.parse('2020-11-20T00:00:00Z');
  // The oldest: a report of an incident, typed "Sirte" and not resolved.
  const incident = await insertIncidentWithReports(s.rt.db, amina.user.id, [
    { placeName: 'Sirte', source: 'web', receivedAt: new Date(base - 60_000), observedAt: at('2020-11-10T07:00') },
  ]);
  incidentId = incident.id;
  id.inIncident = incident.reportIds[0]!;
  for (const [k, [name, observerId, o]] of rows.entries()) {
    const row = reportRow(observerId, { source: 'web', ...o, receivedAt: new Date(base + k * 60_000) });
    await s.rt.db.report.create({ data: row });
    id[name] = row.id!;
  }
});
afterAll(async () => {
  await s?.close();
});

/** A Libyan wall-clock time (UTC+2 in November 2020). */
function at(local: string): Date {
  return new Date(`${local}:00+02:00`);
}

const list = async (query: string, user: TestUser = member) => {
  const r = await bearer(s.url, user.token).get(`/api/reports?${query}`);
  expect(r.status, r.text).toBe(200);
  return r.body as { items: Item[]; nextCursor: string | null };
};
const ids = async (query: string, user: TestUser = member) => (await list(query, user)).items.map((r) => r.id);
const names = (...keys: string[]) => keys.map((k) => id[k]!);

describe('filters', () => {
  it('term, stance, language and source each select their reports', async () => {
    expect(await ids('term=arms_transfer')).toEqual(names('misrataFlagged'));
    expect(await ids('stance=compliance')).toEqual(names('misrataFlagged'));
    expect(await ids('stance=information')).toEqual(names('unknownPlace'));
    expect(await ids('language=ar')).toEqual(names('sirteArabic'));
    expect(await ids('source=sms')).toEqual(names('sirteArabic'));
    expect(await ids('source=openrosa')).toEqual(names('misrataFlagged'));
    expect(await ids('source=api')).toEqual(names('lateNight'));
    expect(await ids('source=web&limit=200')).toEqual(names('unknownPlace', 'sirteLatin', 'inIncident'));
  });

  it('flagged=true lists the reports with a doubt, flagged=false the others', async () => {
    expect(await ids('flagged=true')).toEqual(names('misrataFlagged'));
    const clean = await ids('flagged=false&limit=200');
    expect(clean).not.toContain(id.misrataFlagged);
    expect(clean).toEqual(names('unknownPlace', 'lateNight', 'sirteArabic', 'sirteLatin', 'inIncident'));
  });

  it('a place matches in either script through the gazetteer', async () => {
    // Newest received first: the Arabic-typed report came after the Latin ones.
    const sirte = names('sirteArabic', 'sirteLatin', 'inIncident');
    expect(await ids(`place=${encodeURIComponent('سرت')}`)).toEqual(sirte);
    expect(await ids('place=SIRTE')).toEqual(sirte);
    // A name the gazetteer does not know matches as typed, case aside.
    expect(await ids('place=wadi%20NOWHERE')).toEqual(names('unknownPlace'));
  });

  it("observer matches part of the observer's username for an admin, part of the pseudonym for the commission", async () => {
    const omarPart = omar.username.slice(0, 5).toUpperCase();
    expect(await ids(`observer=${omarPart}&limit=200`, admin)).toEqual(names('lateNight', 'sirteArabic'));
    expect(await ids('observer=nobody-has-this-name', admin)).toEqual([]);
    // A commission member sees pseudonyms only: a username finds nothing, the pseudonym (or part of it) finds the
    // observer's reports.
    expect(await ids(`observer=${omarPart}&limit=200`)).toEqual([]);
    expect(await ids(`observer=${omar.username}&limit=200`)).toEqual([]);
    const omarPseudonym = s.rt.custodySigner.pseudonym(omar.user.id);
    expect(await ids(`observer=${omarPseudonym.toUpperCase()}&limit=200`)).toEqual(names('lateNight', 'sirteArabic'));
    expect(await ids(`observer=${omarPseudonym.slice(-10)}&limit=200`)).toEqual(names('lateNight', 'sirteArabic'));
  });

  it('from and to are whole days in Libya', async () => {
    expect(await ids('from=2020-11-15')).toEqual(names('lateNight'));
    // A date-time with its offset is that instant, whatever the server's zone.
    expect(await ids(`from=${encodeURIComponent('2020-11-15T01:29:59+02:00')}`)).toEqual(names('lateNight'));
    expect(await ids('from=2020-11-14T23:30:01Z')).toEqual([]);
    expect(await ids(`to=${encodeURIComponent('2020-11-14T09:00:01+02:00')}&from=2020-11-14`)).toEqual(
      names('sirteLatin'),
    );
    expect(await ids('from=2020-11-14&to=2020-11-14')).toEqual(names('sirteLatin'));
    expect(await ids('to=2020-11-11&sort=-observed')).toEqual(names('unknownPlace', 'inIncident'));
  });

  it('filters combine', async () => {
    expect(await ids(`place=${encodeURIComponent('سرت')}&language=en&from=2020-11-14`)).toEqual(names('sirteLatin'));
    expect(await ids('flagged=false&source=web&stance=violation&limit=200')).toEqual(names('sirteLatin', 'inIncident'));
  });
});

describe('orders and pages', () => {
  it('sort=-observed lists newest observed first; both orders page through every report once', async () => {
    const observed = await ids('sort=-observed&limit=200');
    expect(observed).toEqual(
      names('lateNight', 'sirteLatin', 'misrataFlagged', 'sirteArabic', 'unknownPlace', 'inIncident'),
    );
    for (const sort of ['-received', '-observed']) {
      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page = await list(`sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(await ids(`sort=${sort}&limit=200`));
      expect(new Set(seen).size).toBe(6);
      expect(seen).toHaveLength(6);
    }
  });

  it('a cursor is of its order: under another sort, or forged, it is a 400 naming cursor', async () => {
    const received = await list('sort=-received&limit=2');
    const observed = await list('sort=-observed&limit=2');
    for (const [cursor, sort] of [
      [received.nextCursor, '-observed'],
      [observed.nextCursor, '-received'],
      [Buffer.from(`2020-11-14T00:00:00.000Z|${id.sirteLatin}`).toString('base64url'), '-received'],
    ] as const) {
      const r = await bearer(s.url, member.token).get(`/api/reports?sort=${sort}&limit=2&cursor=${cursor}`);
      expect(r.status, r.text).toBe(400);
      expect(r.body.error.issues).toEqual([{ field: 'cursor', reason: expect.stringMatching(/order|cursor/) }]);
    }
    // The same order and filters go on from it.
    expect((await list(`sort=-observed&limit=2&cursor=${observed.nextCursor}`)).items).toHaveLength(2);
  });

  it('each row names its observer (for an admin) and its place in both scripts, and links its incident', async () => {
    const items = (await list('limit=200', admin)).items as Array<Item & { incidentId: string | null }>;
    const byId = new Map(items.map((r) => [r.id, r]));
    expect(byId.get(id.sirteArabic)).toMatchObject({
      observerName: omar.username,
      observerNamed: true,
      gazetteerPlace: { name: 'Sirte', nameAr: 'سرت' },
    });
    expect(byId.get(id.unknownPlace)).toMatchObject({ observerName: amina.username, gazetteerPlace: null });
    expect(byId.get(id.inIncident)).toMatchObject({ incidentId, gazetteerPlace: { name: 'Sirte', nameAr: 'سرت' } });
    expect(byId.get(id.sirteLatin)).toMatchObject({ incidentId: null });
  });

  it("shows a commission member each observer's stable pseudonym, the custody package's, never a username", async () => {
    const items = (await list('limit=200')).items;
    const pseudonymOf = (observerId: string) => s.rt.custodySigner.pseudonym(observerId);
    for (const r of items as Array<Item & { observerId: string }>) {
      // The key beside the name is the pseudonym too, never the account id (observer-identity.test.ts).
      expect(r).toMatchObject({ observerName: r.observerId, observerNamed: false });
      expect(r.observerName).toMatch(/^observer-[0-9a-f]{16}$/);
    }
    const shown = new Set(items.map((r) => r.observerName));
    expect(shown).toEqual(new Set([pseudonymOf(amina.user.id), pseudonymOf(omar.user.id)]));
    expect(JSON.stringify(items)).not.toMatch(new RegExp(`${amina.username}|${omar.username}`));
    // Stable: the same on the next request and the next page.
    const page = await list('limit=1&sort=-observed');
    const next = await list(`limit=1&sort=-observed&cursor=${page.nextCursor}`);
    expect([page.items[0]!.observerName, next.items[0]!.observerName]).toEqual([
      pseudonymOf(omar.user.id),
      pseudonymOf(amina.user.id),
    ]);
  });
});

describe('bad input', () => {
  it.each([
    ['term=peace', 'term', /not a term of the agreement/],
    ['stance=war', 'stance', /violation|compliance|information/],
    ['flagged=yes', 'flagged', /true|false/],
    ['language=fr', 'language', /en|ar/],
    ['source=fax', 'source', /web|openrosa|sms|api/],
    [`observer=${'x'.repeat(65)}`, 'observer', /64/],
    ['sort=age', 'sort', /-received|-observed/],
    ['from=14/11/2020', 'from', /YYYY-MM-DD/],
    // Days no calendar has: Date.parse rolls them over to March or December, the day reading cannot.
    ['to=2020-02-30', 'to', /not a calendar date/],
    ['from=2021-02-29', 'from', /not a calendar date/],
    ['from=2020-11-31', 'from', /not a calendar date/],
    ['to=2020-11-14T25:00:00Z', 'to', /not a calendar date/],
    // A time without an offset would be read in the server's zone; text around a date is not a date.
    ['from=2020-11-14T10:30', 'from', /offset/],
    ['to=2020-11-14T10:30:00', 'to', /offset/],
    [`from=${encodeURIComponent('foo T 2020')}`, 'from', /YYYY-MM-DD/],
    [`from=${encodeURIComponent('2020-11-14 10:30Z')}`, 'from', /YYYY-MM-DD/],
    ['from=2020-11-14x', 'from', /YYYY-MM-DD/],
  ])('%s answers 400 naming %s', async (query, field, reason) => {
    const r = await bearer(s.url, member.token).get(`/api/reports?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toContainEqual({ field, reason: expect.stringMatching(reason) });
    expect(r.body.error.issues.every((i: { field: string }) => i.field === field)).toBe(true);
  });
});

describe('access', () => {
  it('observers list only their own reports, whatever they ask for', async () => {
    const own = names('lateNight', 'sirteArabic');
    expect(await ids('limit=200', omar)).toEqual(own);
    expect(await ids(`observerId=${amina.user.id}&limit=200`, omar)).toEqual(own);
    expect(await ids(`observer=${amina.username}`, omar)).toEqual([]);
    expect(await ids(`place=${encodeURIComponent('سرت')}`, omar)).toEqual(names('sirteArabic'));
    // Their own name is no secret to them.
    const items = (await list('limit=200', omar)).items;
    expect(items.map((r) => [r.observerName, r.observerNamed])).toEqual([
      [omar.username, true],
      [omar.username, true],
    ]);
  });
});
