import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { candidateQuery, decideAssignment } from '../../../src/dedup/dedup.ts';
import { createMemoryStore, MEMBERS_PER_INCIDENT } from '../../../src/dedup/memory-store.ts';
import { DEFAULT_LIMITS } from '../../../src/dedup/repository.ts';
import { loadPairModel } from '../../../src/dedup/pair-model.ts';
import { makeFeatures, type ReportSpec } from '../../helpers/factories.ts';

/** Feed reports through store + decideAssignment in order, as the worker does; returns report → incident. */
async function assign(reports: Array<ReportSpec & { id: string }>) {
  const store = createMemoryStore();
  const out: Record<string, string> = {};
  const decisions: Record<string, { score: number; reasons: string[] }> = {};
  for (const r of reports) {
    const f = makeFeatures(r);
    const d = decideAssignment(f, await store.findCandidates(candidateQuery(f)));
    out[r.id] = d.incidentId ?? store.createIncident(r.id, f);
    if (d.incidentId) store.addReport(d.incidentId, r.id, f);
    decisions[r.id] = d;
  }
  return { out, decisions, store };
}

describe('decideAssignment', () => {
  it('groups the same incident across languages, name-only reports and a few km', async () => {
    const { out, decisions } = await assign([
      {
        id: 'a',
        observedAt: '2021-03-02T06:00:00+02:00',
        lat: 27.04,
        lon: 14.43,
        placeName: 'Sabha',
        narrative: 'Clashes with RPGs between two armed groups in Sabha centre, 3 wounded.',
      },
      {
        id: 'b',
        observedAt: '2021-03-02T07:30:00+02:00',
        lat: 27.06,
        lon: 14.45,
        placeName: 'سبها',
        narrative: 'اشتباكات بين مجموعتين مسلحتين وسط سبها وإصابة ثلاثة أشخاص',
      },
      {
        id: 'c',
        observedAt: '2021-03-02T09:00:00+02:00',
        placeName: 'Sebha',
        narrative: 'Sebha hospital received 3 wounded from this morning clashes.',
      },
    ]);
    expect(out.b).toBe(out.a);
    expect(out.c).toBe(out.a);
    expect(decisions.b.reasons).toContain('same terms');
    expect(decisions.b.score).toBeGreaterThan(3.5);
  });
  it('keeps different incidents at the same place on the same day apart', async () => {
    const { out } = await assign([
      {
        id: 'close',
        observedAt: '2021-03-08T08:00:00+02:00',
        lat: 30.5,
        lon: 18.55,
        placeName: 'Ras Lanuf',
        narrative: 'Guards blocked the Ras Lanuf terminal, loading halted.',
      },
      {
        id: 'open',
        observedAt: '2021-03-08T16:00:00+02:00',
        lat: 30.5,
        lon: 18.55,
        placeName: 'Ras Lanuf',
        narrative: 'Ras Lanuf blockade lifted, loading resumed.',
      },
      {
        id: 'shell',
        observedAt: '2021-03-08T17:00:00+02:00',
        lat: 30.5,
        lon: 18.55,
        placeName: 'Ras Lanuf',
        narrative: 'Two mortar rounds hit near the Ras Lanuf airport.',
      },
    ]);
    expect(new Set(Object.values(out)).size).toBe(3);
  });
  it('says why a new incident was opened: nothing nearby, or a nearby incident ruled out', async () => {
    const { out, decisions } = await assign([
      {
        id: 'close',
        observedAt: '2021-03-08T08:00:00+02:00',
        lat: 30.5,
        lon: 18.55,
        placeName: 'Ras Lanuf',
        narrative: 'Guards blocked the Ras Lanuf terminal, loading halted.',
      },
      {
        id: 'open',
        observedAt: '2021-03-08T16:00:00+02:00',
        lat: 30.5,
        lon: 18.55,
        placeName: 'Ras Lanuf',
        narrative: 'Ras Lanuf blockade lifted, loading resumed.',
      },
    ]);
    expect(decisions.close.reasons).toEqual(['no candidate incident nearby in space and time']);
    expect(decisions.open.reasons).toEqual([
      `new incident: nearby ${out.close} ruled out (opposite stance (compliance/violation))`,
    ]);
  });
  it('tells reviewers when a report also matches a second incident: two halves of one event that arrived apart', async () => {
    // Three blind-set reports of one reopening, in an order where the first two do not recognise each other.
    const lines = readFileSync(new URL('../../fixtures/blind2-reports.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const spec = (id: string) =>
      ({ ...lines.find((r: { id: string }) => r.id === id), id }) as ReportSpec & { id: string };
    const { out, decisions } = await assign([spec('c-007'), spec('c-071'), spec('c-041')]);
    expect(out['c-071']).not.toBe(out['c-007']);
    const other = out['c-041'] === out['c-007'] ? out['c-071'] : out['c-007'];
    expect(decisions['c-041'].reasons.at(-1)).toMatch(
      new RegExp(`^also matches incident ${other} \\(score [\\d.]+\\): possibly the same incident`),
    );
  });
  it('keeps daily routine reports from one checkpoint as separate incidents', async () => {
    const text = 'Checkpoint 50: routine patrol, no movement observed.';
    const { out } = await assign([
      { id: 'd1', observedAt: '2021-01-10T07:00:00+02:00', lat: 31.21, lon: 16.6, placeName: 'Sirte', narrative: text },
      { id: 'd2', observedAt: '2021-01-11T07:02:00+02:00', lat: 31.21, lon: 16.6, placeName: 'Sirte', narrative: text },
      { id: 'd3', observedAt: '2021-01-12T07:01:00+02:00', lat: 31.21, lon: 16.6, placeName: 'Sirte', narrative: text },
    ]);
    expect(new Set(Object.values(out)).size).toBe(3);
  });
  it('joins a next-morning report that says the event was yesterday', async () => {
    const { out } = await assign([
      {
        id: 'x',
        observedAt: '2021-02-01T16:00:00+02:00',
        lat: 31.2,
        lon: 16.59,
        placeName: 'Sirte port',
        narrative: 'Ship unloading 8 armoured vehicles at Sirte port.',
      },
      {
        id: 'y',
        observedAt: '2021-02-02T09:00:00+02:00',
        placeName: 'ميناء سرت',
        narrative: 'تفريغ ثماني مدرعات من سفينة في ميناء سرت أمس',
      },
    ]);
    expect(out.y).toBe(out.x);
  });
  it('honours reviewer exclusions', async () => {
    const store = createMemoryStore();
    const a = makeFeatures({
      id: 'a',
      observedAt: '2021-03-02T06:00:00+02:00',
      lat: 27.04,
      lon: 14.43,
      placeName: 'Sabha',
      narrative: 'Clashes in Sabha.',
    } as ReportSpec);
    const inc = store.createIncident('a', a);
    const b = makeFeatures({
      observedAt: '2021-03-02T06:30:00+02:00',
      lat: 27.04,
      lon: 14.43,
      placeName: 'Sabha',
      narrative: 'Clashes in Sabha centre.',
    });
    const cands = await store.findCandidates(candidateQuery(b));
    expect(decideAssignment(b, cands).incidentId).toBe(inc);
    expect(decideAssignment(b, cands, { excludeIncidentIds: [inc] }).incidentId).toBeNull();
  });
});

describe('memory store blocking', () => {
  it('only returns incidents from nearby cells within the time window, however many are stored', async () => {
    const store = createMemoryStore();
    const far = makeFeatures({
      observedAt: '2021-03-02T06:00:00+02:00',
      lat: 32.89,
      lon: 13.19,
      placeName: 'Tripoli',
      narrative: 'Clashes in Tripoli.',
    });
    for (let i = 0; i < 2000; i++)
      store.createIncident(`t${i}`, {
        ...far,
        observedAt: new Date(Date.parse(far.observedAt) + i * 3_600_000).toISOString(),
      });
    const old = makeFeatures({
      observedAt: '2021-01-02T06:00:00+02:00',
      lat: 27.04,
      lon: 14.43,
      placeName: 'Sabha',
      narrative: 'Clashes in Sabha.',
    });
    store.createIncident('old', old);
    const q = makeFeatures({
      observedAt: '2021-03-02T06:30:00+02:00',
      lat: 27.04,
      lon: 14.43,
      placeName: 'Sabha',
      narrative: 'Clashes in Sabha.',
    });
    expect(await store.findCandidates(candidateQuery(q))).toEqual([]);
  });
  it('compares a new report with the members the database reads: the latest, as many as it reads', async () => {
    // An incident scored on the mean of its members (PairModel.linkage) must score in replays as in the workers.
    expect(MEMBERS_PER_INCIDENT).toBe(DEFAULT_LIMITS.membersPerIncident);
    const store = createMemoryStore();
    const at = Date.parse('2021-03-02T06:00:00+02:00');
    const member = (i: number) =>
      makeFeatures({
        observedAt: new Date(at + i * 60_000).toISOString(),
        lat: 27.04,
        lon: 14.43,
        placeName: 'Sabha',
        narrative: 'Clashes in Sabha.',
      });
    store.createIncident('r0', member(0));
    const id = store.incidentOf('r0')!;
    for (let i = 1; i < MEMBERS_PER_INCIDENT + 5; i++) store.addReport(id, `r${i}`, member(i));
    const [c] = await store.findCandidates(candidateQuery(member(60)));
    expect(c!.members).toHaveLength(MEMBERS_PER_INCIDENT);
    const times = c!.members.map((m) => Date.parse(m.observedAt));
    expect(Math.min(...times)).toBe(at + 5 * 60_000);
  });
  it('finds candidates by shared attachment hash regardless of place and time', async () => {
    const store = createMemoryStore();
    const a = makeFeatures({
      observedAt: '2021-01-02T06:00:00+02:00',
      lat: 27.04,
      lon: 14.43,
      placeName: 'Sabha',
      narrative: 'Photo.',
      attachmentHashes: ['h1'],
    });
    const id = store.createIncident('a', a);
    const b = makeFeatures({
      observedAt: '2021-02-02T06:00:00+02:00',
      placeName: null,
      narrative: 'Photo.',
      attachmentHashes: ['h1'],
    });
    expect((await store.findCandidates(candidateQuery(b))).map((c) => c.id)).toEqual([id]);
  });
});

describe('an incident’s span', () => {
  const model = loadPairModel('libya-2020');
  // One checkpoint reported in the same words every 20 hours: each report is close to the last, so without a cap on
  // the whole span the lookup (which reads only members near the report in time) chains them into one incident.
  const daily = (i: number) =>
    makeFeatures({
      observedAt: new Date(Date.parse('2021-03-02T06:00:00+02:00') + i * 20 * 3_600_000).toISOString(),
      lat: 31.2,
      lon: 16.59,
      placeName: 'Sirte',
      narrative: 'Checkpoint at the western gate of Sirte closed to civilian traffic; trucks turned back.',
    });

  it('never lets a chain of close reports stretch one incident past 72 hours', async () => {
    const store = createMemoryStore();
    const incidentOf: string[] = [];
    const reasons: string[][] = [];
    for (let i = 0; i < 10; i++) {
      const f = daily(i);
      const d = decideAssignment(f, await store.findCandidates(candidateQuery(f)), { pairModel: model });
      incidentOf.push(d.incidentId ?? store.createIncident(`r${i}`, f));
      if (d.incidentId) store.addReport(d.incidentId, `r${i}`, f);
      reasons.push(d.reasons);
    }
    for (const id of new Set(incidentOf)) {
      const times = incidentOf.flatMap((inc, i) => (inc === id ? [Date.parse(daily(i).observedAt)] : []));
      expect((Math.max(...times) - Math.min(...times)) / 3_600_000).toBeLessThanOrEqual(72);
    }
    // Close reports still join: 20 hours apart, the same words, the same place.
    expect(incidentOf[1]).toBe(incidentOf[0]);
    expect(new Set(incidentOf).size).toBeGreaterThanOrEqual(3);
    expect(reasons.flat().some((r) => /would span \d+ h \(more than 72\)/.test(r))).toBe(true);
  });

  it('still joins a report whose photo an incident already holds, however old the incident', () => {
    const f = { ...daily(9), photoHashes: ['f0f0f0f0f0f0f0f0'] };
    const old = { ...daily(0), photoHashes: ['f0f0f0f0f0f0f0f0'] };
    const d = decideAssignment(
      f,
      [
        {
          id: 'old',
          members: [old],
          separatedFrom: [],
          span: { first: Date.parse(old.observedAt), last: Date.parse(old.observedAt) },
        },
      ],
      { pairModel: model },
    );
    expect(d.incidentId).toBe('old');
  });
});

describe('tied merges with the shipped pair model', () => {
  const model = loadPairModel('libya-2020')!;
  const at = (min: number) => new Date(Date.parse('2021-03-02T06:00:00+02:00') + min * 60_000).toISOString();
  const text = 'Mortar rounds hit the GNA position east of Abu Grein, 6 rounds, 2 soldiers wounded.';
  const report = (min: number) =>
    makeFeatures({ observedAt: at(min), lat: 31.45, lon: 15.25, placeName: 'Abu Grein', narrative: text });

  it('merges two incidents a late report ties firmly (the model ships with merges on)', () => {
    expect(model.mergeThreshold).toBeLessThanOrEqual(1);
    const d = decideAssignment(
      report(30),
      [
        { id: 'A', members: [report(0)], separatedFrom: [] },
        { id: 'B', members: [report(50)], separatedFrom: [] },
      ],
      { pairModel: model },
    );
    expect(d.score).toBeGreaterThanOrEqual(model.mergeThreshold);
    expect([d.incidentId, ...(d.merge ?? [])].sort()).toEqual(['A', 'B']);
  });

  it('never merges two incidents a reviewer split, however firm the tie', () => {
    const d = decideAssignment(
      report(30),
      [
        { id: 'A', members: [report(0)], separatedFrom: ['B'] },
        { id: 'B', members: [report(50)], separatedFrom: ['A'] },
      ],
      { pairModel: model },
    );
    expect(d.incidentId).toBeTruthy();
    expect(d.merge).toBeUndefined();
  });
});
