// The queue's filters, sorts, per-state counts and keyset pages, asserted on a small seeded set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { incidentRow } from '../../helpers/factories.ts';

let s: TestServer;
let member: TestUser;
let api: ReturnType<typeof bearer>;
const ids: Record<string, string> = {};

const at = (iso: string) => new Date(iso);
// Seven incidents; F was merged into A and must never show. G starts 2020-11-30 22:30Z = 1 December in Tripoli.
const SEED = {
  A: {
    state: 'new',
    terms: ['hostilities'],
    stance: 'violation',
    parties: ['LAAF'],
    languages: ['en'],
    confidence: 0.9,
    severity: 5,
    placeName: 'Sirte',
    lat: 31.2,
    lon: 16.6,
    firstObservedAt: at('2020-11-10T10:00:00Z'),
    lastObservedAt: at('2020-11-10T12:00:00Z'),
    reportCount: 3,
  },
  B: {
    state: 'under_review',
    terms: ['arms_transfer'],
    stance: 'violation',
    parties: ['GNA'],
    languages: ['ar'],
    confidence: 0.6,
    severity: 3,
    placeName: 'Misrata',
    lat: 32.37,
    lon: 15.09,
    firstObservedAt: at('2020-11-12T08:00:00Z'),
    lastObservedAt: at('2020-11-12T09:00:00Z'),
    reportCount: 1,
  },
  C: {
    state: 'verified',
    terms: ['road_opening'],
    stance: 'compliance',
    parties: ['GNA', 'LAAF'],
    languages: ['ar', 'en'],
    confidence: 0.95,
    severity: 0,
    placeName: 'Brega',
    lat: 30.4,
    lon: 19.6,
    firstObservedAt: at('2020-11-20T08:00:00Z'),
    lastObservedAt: at('2020-11-20T09:00:00Z'),
    reportCount: 5,
  },
  D: {
    state: 'rejected',
    terms: ['hostilities', 'mines_uxo'],
    stance: 'violation',
    parties: ['foreign'],
    languages: ['ar'],
    confidence: 0.4,
    severity: 4,
    placeName: 'Sirte port',
    lat: 31.21,
    lon: 16.59,
    firstObservedAt: at('2020-11-05T08:00:00Z'),
    lastObservedAt: at('2020-11-05T09:00:00Z'),
    reportCount: 2,
  },
  E: {
    state: 'new',
    terms: ['troop_return'],
    stance: 'information',
    parties: [],
    languages: ['en'],
    confidence: 0.7,
    severity: 1,
    placeName: 'Tripoli',
    lat: 32.88,
    lon: 13.19,
    firstObservedAt: at('2020-11-25T08:00:00Z'),
    lastObservedAt: at('2020-11-25T09:00:00Z'),
    reportCount: 4,
  },
  G: {
    state: 'needs_info',
    terms: ['hostilities'],
    stance: 'violation',
    parties: ['LAAF'],
    languages: ['en'],
    confidence: 0.5,
    severity: 2,
    placeName: 'Ajdabiya',
    lat: 30.75,
    lon: 20.22,
    firstObservedAt: at('2020-11-30T22:30:00Z'),
    lastObservedAt: at('2020-11-30T23:00:00Z'),
    reportCount: 6,
  },
} as const;

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  member = await s.makeUser('commission');
  api = bearer(s.url, member.token);
  for (const [name, fields] of Object.entries(SEED)) {
    const row = incidentRow({
      ...fields,
      parties: [...fields.parties],
      terms: [...fields.terms],
      languages: [...fields.languages],
    });
    ids[name] = row.id!;
    await s.rt.db.incident.create({ data: row });
  }
  const f = incidentRow({ state: 'new', terms: ['hostilities'], placeName: 'Sirte', mergedIntoId: ids.A });
  ids.F = f.id!;
  await s.rt.db.incident.create({ data: f });
  await s.rt.db.incident.update({ where: { id: ids.A }, data: { assigneeId: member.user.id } });
});
afterAll(async () => {
  await s?.close();
});

const names = (items: Array<{ id: string }>) => items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id));
const query = async (qs: string) => {
  const r = await api.get(`/api/incidents?${qs}`);
  expect(r.status, r.text).toBe(200);
  return r.body as { items: Array<{ id: string }>; nextCursor: string | null; counts: Record<string, number> };
};
const sortedNames = async (qs: string) => names((await query(qs)).items).sort();

describe('GET /api/incidents filters', () => {
  it('lists every live incident with counts per state; merged-away ones never appear', async () => {
    const page = await query('');
    expect(names(page.items).sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'G']);
    expect(page.counts).toEqual({ new: 2, under_review: 1, verified: 1, rejected: 1, needs_info: 1 });
    expect(page.nextCursor).toBeNull();
    expect(page.items.find((i) => i.id === ids.A)).toMatchObject({
      state: 'new',
      assignee: { id: member.user.id, username: member.username },
      terms: ['hostilities'],
      stance: 'violation',
      parties: ['LAAF'],
      confidence: 0.9,
      severity: 5,
      lat: 31.2,
      lon: 16.6,
      placeName: 'Sirte',
      reportCount: 3,
      languages: ['en'],
      firstObservedAt: '2020-11-10T10:00:00.000Z',
      corrected: false,
    });
  });

  it('state filters the items but not the counts', async () => {
    const page = await query('state=new');
    expect(names(page.items).sort()).toEqual(['A', 'E']);
    expect(page.counts).toEqual({ new: 2, under_review: 1, verified: 1, rejected: 1, needs_info: 1 });
    expect(await sortedNames('state=verified,rejected')).toEqual(['C', 'D']);
  });

  it('every other filter narrows items and counts alike', async () => {
    const page = await query('term=hostilities');
    expect(names(page.items).sort()).toEqual(['A', 'D', 'G']);
    expect(page.counts).toEqual({ new: 1, under_review: 0, verified: 0, rejected: 1, needs_info: 1 });
    expect(await sortedNames('stance=compliance')).toEqual(['C']);
    expect(await sortedNames('party=GNA')).toEqual(['B', 'C']);
    expect(await sortedNames('bbox=16,31,17,31.5')).toEqual(['A', 'D']);
    expect(await sortedNames('language=ar')).toEqual(['B', 'C', 'D']);
    expect(await sortedNames('minConfidence=0.9')).toEqual(['A', 'C']);
    expect(await sortedNames('place=sir')).toEqual(['A', 'D']);
    expect(await sortedNames(`assigneeId=${member.user.id}`)).toEqual(['A']);
    expect(await sortedNames('assigneeId=none')).toEqual(['B', 'C', 'D', 'E', 'G']);
    expect(await sortedNames('term=hostilities&state=new,needs_info&party=LAAF')).toEqual(['A', 'G']);
  });

  it('a place is found in either script: "سرت" finds the incidents stored as Sirte, and names come in Arabic too', async () => {
    expect(await sortedNames(`place=${encodeURIComponent('سرت')}`)).toEqual(['A', 'D']);
    // A variant spelling of the gazetteer finds the same place; a name it does not know still matches as text.
    expect(await sortedNames('place=Surt')).toEqual(['A', 'D']);
    expect(await sortedNames(`place=${encodeURIComponent('مصراتة')}`)).toEqual(['B']);
    expect(await sortedNames('place=Nowhereville')).toEqual([]);
    const a = (await query('place=Sirte')).items.find((i) => i.id === ids.A) as unknown as Record<string, unknown>;
    expect(a).toMatchObject({ placeName: 'Sirte', placeNameAr: 'سرت' });
    const d = (await query('place=Sirte')).items.find((i) => i.id === ids.D) as unknown as Record<string, unknown>;
    expect(d.placeNameAr).toBe('ميناء سرت'); // the gazetteer's own entry for the port, not the city's
  });

  it('date range: overlap with [from, to); plain dates are whole days in Africa/Tripoli', async () => {
    expect(await sortedNames('from=2020-11-11&to=2020-11-21')).toEqual(['B', 'C']);
    expect(await sortedNames('to=2020-11-30')).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(await sortedNames('from=2020-12-01')).toEqual(['G']);
    expect(await sortedNames('from=2020-11-10T11:00:00Z&to=2020-11-10T11:30:00Z')).toEqual(['A']);
  });

  it('empty values mean no filter; bad values are 400 naming the field', async () => {
    expect(await sortedNames('state=&term=&from=&to=')).toEqual(['A', 'B', 'C', 'D', 'E', 'G']);
    for (const qs of [
      'sort=newest',
      'bbox=1,2,3',
      'state=open',
      'minConfidence=2',
      'from=yesterday',
      'colour=red',
      'limit=0',
    ]) {
      const r = await api.get(`/api/incidents?${qs}`);
      expect(r.status, qs).toBe(400);
      expect(r.body.error.issues[0].field, qs).toBeTruthy();
    }
  });
});

describe('GET /api/incidents sorts and pages', () => {
  it('sorts by severity, age and number of reports, both ways', async () => {
    expect(names((await query('sort=-severity')).items)).toEqual(['A', 'D', 'B', 'G', 'E', 'C']);
    expect(names((await query('')).items)).toEqual(['A', 'D', 'B', 'G', 'E', 'C']); // default
    expect(names((await query('sort=severity')).items)).toEqual(['C', 'E', 'G', 'B', 'D', 'A']);
    expect(names((await query('sort=-reports')).items)).toEqual(['G', 'C', 'E', 'A', 'D', 'B']);
    expect(names((await query('sort=reports')).items)).toEqual(['B', 'D', 'A', 'E', 'C', 'G']);
    expect(names((await query('sort=age')).items)).toEqual(['G', 'E', 'C', 'B', 'A', 'D']);
    expect(names((await query('sort=-age')).items)).toEqual(['D', 'A', 'B', 'C', 'E', 'G']);
  });

  it('walks keyset pages to the end without repeats, for every sort', async () => {
    for (const sort of ['-severity', 'severity', 'age', '-age', 'reports', '-reports']) {
      const all = names((await query(`sort=${sort}`)).items);
      const seen: Array<string | undefined> = [];
      let cursor: string | null = null;
      do {
        const page = await query(`sort=${sort}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...names(page.items));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen, sort).toEqual(all);
    }
  });

  it('refuses a cursor made for another sort order or a forged one', async () => {
    const { nextCursor } = await query('sort=age&limit=2');
    expect((await api.get(`/api/incidents?sort=-severity&cursor=${nextCursor}`)).status).toBe(400);
    expect((await api.get('/api/incidents?cursor=bm9wZQ')).status).toBe(400);
  });
});

describe('GET /api/incidents/map', () => {
  it('returns the filtered incidents as GeoJSON points', async () => {
    const r = await api.get('/api/incidents/map?term=hostilities');
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('FeatureCollection');
    expect(r.body.truncated).toBe(false);
    const a = r.body.features.find((f: { id: string }) => f.id === ids.A);
    expect(a.geometry).toEqual({ type: 'Point', coordinates: [16.6, 31.2] });
    expect(a.properties).toMatchObject({
      id: ids.A,
      state: 'new',
      terms: ['hostilities'],
      stance: 'violation',
      reportCount: 3,
      severity: 5,
    });
    expect(r.body.features.map((f: { id: string }) => f.id).sort()).toEqual([ids.A, ids.D, ids.G].sort());
  });
});
