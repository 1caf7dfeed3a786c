// The learned pair weighing: place names and people compared across scripts, a wrong label on one report lowering
// the score instead of vetoing the pair, near-identical captions caught whatever their classification, and a
// late report that ties two incidents merging them unless a reviewer split them.
import { describe, expect, it } from 'vitest';
import { looseSkeleton, placeSkeleton } from '../../../src/classify/places.ts';
import { nameSkeletons, type ReportFeatures } from '../../../src/dedup/features.ts';
import { normalizeText } from '../../../src/classify/normalize.ts';
import { PAIR_FEATURES, pairVector } from '../../../src/dedup/pair.ts';
import { compareReports } from '../../../src/dedup/similarity.ts';
import { decideAssignment, type CandidateIncident } from '../../../src/dedup/dedup.ts';
import type { PairModel } from '../../../src/dedup/pair-model.ts';
import { chooseThresholds, mergeCandidates } from '../../../src/dedup/pair-train.ts';
import { makeFeatures } from '../../helpers/factories.ts';

const at = (f: string) => PAIR_FEATURES.indexOf(f as (typeof PAIR_FEATURES)[number]);

describe('names across scripts', () => {
  it.each([
    ['سرت', 'Sirte'],
    ['سرت', 'Surt'],
    ['تمنهنت', 'Tamanhint'],
    ['الشويرف', 'Ash Shwayrif'],
    ['أوباري', 'Awbari'],
    ['مرزق', 'Mourzouk'],
    ['الوشكة', 'El Ouechka'],
  ])('%s and %s share a skeleton', (ar, en) => {
    expect(looseSkeleton(ar)).toBe(looseSkeleton(en));
  });
  it('keeps different places apart', () => {
    expect(placeSkeleton('سرت')).not.toBe(placeSkeleton('Sabha'));
    expect(looseSkeleton('Brak')).not.toBe(looseSkeleton('Benghazi'));
  });
  it('finds the same people and places in an English and an Arabic text', () => {
    const en = 'Acting envoy Stephanie Williams said the commission met in Ghadames.';
    const ar = 'قالت ستيفاني ويليامز إن اللجنة اجتمعت في غدامس';
    const shared = nameSkeletons(en, normalizeText(en)).filter((n) => nameSkeletons(ar, normalizeText(ar)).includes(n));
    expect(shared).toEqual(
      expect.arrayContaining([looseSkeleton('Ghadames'), looseSkeleton('Stephanie'), looseSkeleton('Williams')]),
    );
  });
});

describe('pair features', () => {
  const a = makeFeatures({
    narrative: 'Two armed pickups with 12 fighters seen moving west at Abu Grein junction.',
    observedAt: '2020-11-14T05:40:00+02:00',
    lat: 31.44,
    lon: 15.25,
  });
  // The Arabic report gives no position and a spelling the gazetteer does not list: its name's skeleton is the link.
  const b = makeFeatures({
    narrative: 'شوهدت سيارتان مسلحتان تقلان 12 مقاتلا تتجهان غربا عند مفترق بوقرين',
    observedAt: '2020-11-14T07:10:00+02:00',
    placeName: 'بوقرين',
  });
  const c = makeFeatures({
    narrative: 'Two armed pickups, 12 fighters, heading west at the junction.',
    observedAt: '2020-11-14T06:10:00+02:00',
    placeName: 'Bougrein',
  });
  it('are symmetric', () => {
    expect(Array.from(pairVector(a, b).vector)).toEqual(Array.from(pairVector(b, a).vector));
  });
  it('see one event told in two languages: place names alike across scripts, close in time, shared count', () => {
    const v = pairVector(c, b).vector;
    expect(v[at('skeleton_same')]).toBe(1);
    expect(v[at('gap_le1h')]).toBe(1);
    expect(v[at('numbers_shared')]).toBeGreaterThan(0);
    expect(v[at('same_language')]).toBe(0);
    expect(pairVector(a, b).vector[at('gap_le3h')]).toBe(1);
  });
  it('see a later report that tells another event at the same place, in either language, and on another day', () => {
    const first = makeFeatures({
      narrative: 'Exchange of fire between two armed groups in Sabha city centre, 2 wounded.',
      observedAt: '2021-04-18T18:00:00+02:00',
      placeName: 'Sabha',
    });
    const again = makeFeatures({
      narrative: 'اشتباكات جديدة صباح اليوم في حي الطيوري بسبها بين مجموعتين مسلحتين.',
      observedAt: '2021-04-19T10:00:00+02:00',
      placeName: 'سبها',
    });
    const more = makeFeatures({
      narrative: 'Two more tanks withdrawn on low-loaders at Sabha this evening.',
      observedAt: '2021-04-18T20:00:00+02:00',
      placeName: 'Sabha',
    });
    const same = makeFeatures({
      narrative: 'Sabha hospital confirms two wounded after evening clashes downtown.',
      observedAt: '2021-04-18T19:30:00+02:00',
      placeName: 'Sebha',
    });
    const v = pairVector(first, again).vector;
    expect([v[at('later_fresh')], v[at('later_fresh_other_day')]]).toEqual([1, 1]);
    const w = pairVector(more, first).vector;
    expect([w[at('later_fresh')], w[at('later_fresh_other_day')]]).toEqual([1, 0]);
    // Only the later report's wording counts: "new" in the first telling ("a new checkpoint") is its own event.
    expect(pairVector(first, same).vector[at('later_fresh')]).toBe(0);
    expect(pairVector(again, first).vector[at('later_fresh')]).toBe(1);
  });
  it('see a later report that says it is more on an event already told, in either language', () => {
    const first = makeFeatures({
      narrative: 'Mortar impacts east of Abu Grein junction since 0115, source says 4 wounded.',
      observedAt: '2020-10-27T01:40:00+02:00',
      placeName: 'Abu Grein',
    });
    const updates = [
      'UPDATE: the shelling stopped around 0300, 2 wounded not 4.',
      'Follow-up on the mortar fire: both wounded stable at Misrata Medical Centre.',
      "Correction on this morning's report: impacts were west of the junction.",
      'تحديث بخصوص قصف أبوقرين: عدد الجرحى اثنان وليس أربعة.',
      'متابعة: الجرحى في حالة مستقرة.',
      'متابعة للبلاغ السابق: توقف القصف قرابة الثالثة فجراً.',
    ].map((narrative) => makeFeatures({ narrative, observedAt: '2020-10-27T08:00:00+02:00' }));
    for (const u of updates) {
      const v = pairVector(first, u).vector;
      expect(v[at('later_follow_up')], u.observedAt).toBe(1);
      expect(v[at('follow_up_and_term')]).toBe(v[at('term_cosine')]);
      // Only the later report's wording counts: the first telling is not a follow-up of the update.
      expect(pairVector(u, first).vector[at('later_follow_up')]).toBe(1);
    }
    const fresh = makeFeatures({
      narrative: 'Mortar impacts again at Abu Grein, 3 rounds, no casualties.',
      observedAt: '2020-10-28T22:00:00+02:00',
    });
    expect(pairVector(first, fresh).vector[at('later_follow_up')]).toBe(0);
    // An earlier report's marker is not the later one's, unless the two carry the same time.
    expect(pairVector(updates[0]!, { ...fresh, followUp: false }).vector[at('later_follow_up')]).toBe(0);
    const sameTime = { ...fresh, observedAt: updates[0]!.observedAt, followUp: false };
    expect(pairVector(updates[0]!, sameTime).vector[at('later_follow_up')]).toBe(1);
    expect(pairVector(sameTime, updates[0]!).vector[at('later_follow_up')]).toBe(1);
  });
  it('do not read everyday prepositions and institutions as a follow-up', () => {
    const first = makeFeatures({
      narrative: 'Mortar impacts east of Abu Grein junction since 0115.',
      observedAt: '2020-10-27T01:40:00+02:00',
    });
    for (const narrative of [
      'Regarding the ceasefire, LAAF artillery shelled Ain Zara this morning.',
      'Shelling near Abu Grein, as reported by residents.',
      'Three men held at the Correction and Rehabilitation Institution in Mitiga.',
      'بشأن الهدنة، قصف مدفعي على عين زارة صباح اليوم.',
      'لجنة المتابعة رصدت قصفاً جديداً قرب أبوقرين.',
      'كما ورد في الأخبار، اشتباكات في العزيزية.',
    ]) {
      const later = makeFeatures({ narrative, observedAt: '2020-10-27T09:00:00+02:00' });
      expect(later.followUp, narrative).toBe(false);
      expect(pairVector(first, later).vector[at('later_follow_up')]).toBe(0);
    }
  });
  it('catch a word-for-word forwarded caption', () => {
    const text = 'منقول: رتل كبير من المرتزقة السوريين وصل الجفرة الليلة، انشروها';
    const x = makeFeatures({ narrative: text, observedAt: '2020-12-01T20:00:00+02:00' });
    const y = makeFeatures({ narrative: text, observedAt: '2020-12-01T21:30:00+02:00', placeName: 'هون' });
    expect(pairVector(x, y).vector[at('words_near_identical')]).toBe(1);
  });
  it('read features stored before version 2 (no probabilities, no words)', () => {
    const old = {
      ...a,
      v: 1,
      termProbs: undefined,
      stanceProbs: undefined,
      words: undefined,
      names: undefined,
      placeSkel: undefined,
    } as unknown as ReportFeatures;
    const v = pairVector(old, b).vector;
    expect(v.every((x) => Number.isFinite(x))).toBe(true);
  });
});

// A model that only counts a shared place and a short time gap, to test the decisions around it.
const toy: PairModel = {
  features: [...PAIR_FEATURES],
  weights: PAIR_FEATURES.map((f) =>
    f === 'bias' ? -3 : f === 'km_le3' || f === 'km_le1' ? 2 : f === 'gap_le1h' || f === 'gap_le3h' ? 2 : 0,
  ),
  threshold: 0.6,
  mergeThreshold: 0.7,
  trainedOn: { pairs: 0, positives: 0, dataSha256: '' },
};

describe('learned decisions', () => {
  const near = (narrative: string, observedAt: string) =>
    makeFeatures({ narrative, observedAt, lat: 31.44, lon: 15.25 });
  it('join reports whose automatic terms and stance differ (evidence, not a veto)', () => {
    const x = near('Checkpoint at Abu Grein attacked, 2 guards killed.', '2020-11-14T05:00:00+02:00');
    const y = near(
      'Road reopened at Abu Grein after the morning incident, traffic flowing.',
      '2020-11-14T06:00:00+02:00',
    );
    expect(x.terms).not.toEqual(y.terms);
    const r = compareReports(x, y, toy);
    expect(r.veto).toBeNull();
    expect(r.score).toBeGreaterThan(0.6);
  });
  it('still rule out what no evidence bridges: days apart', () => {
    const x = near('Shelling at Abu Grein.', '2020-11-14T05:00:00+02:00');
    const y = near('Shelling at Abu Grein.', '2020-11-20T05:00:00+02:00');
    expect(compareReports(x, y, toy).veto).toMatch(/different days/);
  });
  it('merge two incidents a late report ties together, never against a reviewer split', () => {
    const f = near('Convoy at Abu Grein.', '2020-11-14T06:00:00+02:00');
    const m1 = near('Convoy seen at Abu Grein.', '2020-11-14T05:30:00+02:00');
    const m2 = near('رتل عند بوقرين', '2020-11-14T06:20:00+02:00');
    const candidates: CandidateIncident[] = [
      { id: 'A', members: [m1], separatedFrom: [] },
      { id: 'B', members: [m2], separatedFrom: [] },
    ];
    const joined = decideAssignment(f, candidates, { pairModel: toy });
    expect(joined.incidentId).toBeTruthy();
    expect(joined.merge).toEqual([joined.incidentId === 'A' ? 'B' : 'A']);
    const split = decideAssignment(
      f,
      [
        { ...candidates[0]!, separatedFrom: ['B'] },
        { ...candidates[1]!, separatedFrom: ['A'] },
      ],
      { pairModel: toy },
    );
    expect(split.merge).toBeUndefined();
    expect(split.reasons.join(' ')).toMatch(/also matches incident/);
  });
  it('merge no two incidents a reviewer split, among three a late report ties', () => {
    const f = near('Convoy at Abu Grein.', '2020-11-14T06:00:00+02:00');
    const m = [
      near('Convoy seen at Abu Grein.', '2020-11-14T05:30:00+02:00'),
      near('رتل عند بوقرين', '2020-11-14T06:20:00+02:00'),
      near('Convoy at Abu Grein, trucks.', '2020-11-14T06:10:00+02:00'),
    ];
    const all = decideAssignment(
      f,
      ['A', 'B', 'C'].map((id, i) => ({ id, members: [m[i]!], separatedFrom: [] })),
      { pairModel: toy },
    );
    expect(all.merge).toHaveLength(2);
    // A reviewer split C from B: whichever of the three the report joins, B and C never end up together.
    const split = decideAssignment(
      f,
      ['A', 'B', 'C'].map((id, i) => ({
        id,
        members: [m[i]!],
        separatedFrom: id === 'B' ? ['C'] : id === 'C' ? ['B'] : [],
      })),
      { pairModel: toy },
    );
    const together = [split.incidentId!, ...(split.merge ?? [])];
    expect(together.includes('B') && together.includes('C')).toBe(false);
    expect(split.merge).toHaveLength(1);
  });
  it('score an incident by its closest member alone, or blended with the mean of its members (linkage)', () => {
    // One paragraph of a long story looks like the new report; the story's other members do not (another place, hours
    // apart): under the closest member alone the report joins the story, blended with the mean it starts its own.
    const f = near('Convoy at Abu Grein.', '2020-11-14T06:00:00+02:00');
    const alike = near('Convoy seen at Abu Grein.', '2020-11-14T05:30:00+02:00');
    const far = (h: string) =>
      makeFeatures({
        narrative: 'Talks in Sirte went on.',
        observedAt: `2020-11-14T${h}:00:00+02:00`,
        lat: 31.2,
        lon: 16.6,
      });
    const story: CandidateIncident[] = [
      { id: 'S', members: [alike, far('00'), far('01'), far('11')], separatedFrom: [] },
    ];
    const closest = decideAssignment(f, story, { pairModel: toy });
    expect(closest.incidentId).toBe('S');
    const blended = decideAssignment(f, story, { pairModel: { ...toy, linkage: 0.25 } });
    expect(blended.incidentId).toBeNull();
    expect(blended.reasons.join(' ')).toMatch(/closest report 0\.\d+, mean over the 4 reports compared/);
    // An incident of one report scores the same under any linkage.
    const one = decideAssignment(f, [{ id: 'A', members: [alike], separatedFrom: [] }], {
      pairModel: { ...toy, linkage: 0 },
    });
    expect(one).toEqual(decideAssignment(f, [{ id: 'A', members: [alike], separatedFrom: [] }], { pairModel: toy }));
  });
  it('merge only while the incident they make stays within the span a join may give it', () => {
    const f = near('Convoy at Abu Grein.', '2020-11-14T06:00:00+02:00');
    const m1 = near('Convoy seen at Abu Grein.', '2020-11-14T05:30:00+02:00');
    const m2 = near('رتل عند بوقرين', '2020-11-14T06:20:00+02:00');
    const h = 3_600_000;
    const at = Date.parse('2020-11-14T06:00:00+02:00');
    // Each incident alone spans at most 72 h with the report; the two together would span 90 h.
    const candidates: CandidateIncident[] = [
      { id: 'A', members: [m1], separatedFrom: [], span: { first: at - 45 * h, last: at - h / 2 } },
      { id: 'B', members: [m2], separatedFrom: [], span: { first: at + h / 3, last: at + 45 * h } },
    ];
    const r = decideAssignment(f, candidates, { pairModel: toy });
    expect(r.incidentId).toBeTruthy();
    expect(r.merge).toBeUndefined();
    expect(r.reasons.join(' ')).toMatch(/also matches incident/);
    // Within the span, the same tie merges.
    const close = candidates.map((c) => ({ ...c, span: { first: at - 2 * h, last: at + 2 * h } }));
    expect(decideAssignment(f, close, { pairModel: toy }).merge).toHaveLength(1);
  });
});

describe('choosing the shipped thresholds from the held-out replays', () => {
  const trial = (
    threshold: number,
    mergeThreshold: number,
    field: [number, number],
    others: number[],
    linkage = 1,
  ) => ({
    threshold,
    mergeThreshold,
    linkage,
    byKind: {
      field: { precision: field[0], recall: 1, f1: field[1] },
      published: { precision: 0.8, recall: 0.8, f1: others[0]! },
      team: { precision: 0.88, recall: 1, f1: others[1]! },
    },
  });

  it('takes the best mean F1 among trials precise enough on field writers, whatever the team files say', () => {
    const chosen = chooseThresholds([
      trial(0.5, 0.5, [0.96, 0.95], [0.8, 0.93]), // best F1, but joins wrongly too often
      trial(0.6, 0.7, [0.975, 0.93], [0.79, 0.935]),
      trial(0.7, 0.8, [0.981, 0.92], [0.815, 0.938]),
      trial(0.96, 0.96, [0.998, 0.74], [0.63, 0.961]), // most precise, recall gone
    ]);
    expect([chosen.threshold, chosen.mergeThreshold]).toEqual([0.7, 0.8]);
  });

  it('keeps the firmer thresholds on a tie, and the most precise when none is precise enough', () => {
    const tie = chooseThresholds([trial(0.6, 0.7, [0.98, 0.9], [0.8, 0.9]), trial(0.7, 0.8, [0.98, 0.9], [0.8, 0.9])]);
    expect(tie.threshold).toBe(0.7);
    const none = chooseThresholds([trial(0.5, 0.5, [0.9, 0.95], [0.8, 0.9]), trial(0.9, 0.9, [0.95, 0.6], [0.6, 0.9])]);
    expect(none.threshold).toBe(0.9);
  });

  it('takes a blended linkage when it does better held out, and the closest member alone on a tie', () => {
    const better = chooseThresholds([
      trial(0.6, 0.8, [0.974, 0.951], [0.809, 0.935]),
      trial(0.5, 0.6, [0.972, 0.955], [0.817, 0.933], 0.25),
    ]);
    expect([better.threshold, better.mergeThreshold, better.linkage]).toEqual([0.5, 0.6, 0.25]);
    const tie = chooseThresholds([
      trial(0.6, 0.8, [0.98, 0.9], [0.8, 0.9], 0.5),
      trial(0.6, 0.8, [0.98, 0.9], [0.8, 0.9]),
      trial(0.6, 0.8, [0.98, 0.9], [0.8, 0.9], 0),
    ]);
    expect(tie.linkage).toBe(1);
  });

  it('tries firm merge thresholds with every join threshold, each once, none looser than the join', () => {
    expect(mergeCandidates(0.65)).toEqual([0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01]);
    // 0.7 + 0.1 is 0.7999… in floating point: it must not be tried beside 0.8 as a second trial.
    expect(mergeCandidates(0.7)).toEqual([0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01]);
    expect(mergeCandidates(0.96)).toEqual([0.96, 1.01]);
  });
});

describe('pair features of stored reports', () => {
  it('are the same whatever order the probability maps come back in (jsonb reorders keys)', () => {
    const a = makeFeatures({
      observedAt: '2020-11-19T12:00:00Z',
      lat: 29.12,
      lon: 15.95,
      placeName: 'Jufra',
      narrative: 'Pantsir-S1 systems positioned at Jufra airbase, crews assessed Wagner; Il-76 offloading crates.',
    });
    const b = makeFeatures({
      observedAt: '2020-11-19T18:20:00Z',
      lat: 29.1,
      lon: 15.99,
      placeName: 'Waddan',
      narrative: 'Cargo flight unloading at Jufra air base, foreign crews seen beside air defence trucks.',
    });
    // Equal top probabilities and several terms: order decides ties and the sums' rounding if anything does.
    const probs = { arms_transfer: 0.61, mercenary_withdrawal: 0.61, troop_return: 0.13, hostilities: 0.07 };
    const stance = { violation: 0.83, information: 0.12, compliance: 0.05 };
    const withProbs = (f: typeof a, p: Record<string, number>, s: Record<string, number>) => ({
      ...f,
      termProbs: p,
      stanceProbs: s,
    });
    const reversed = (p: Record<string, number>) => Object.fromEntries(Object.entries(p).reverse());
    const x = pairVector(withProbs(a, probs, stance), withProbs(b, reversed(probs), reversed(stance))).vector;
    const y = pairVector(withProbs(a, reversed(probs), reversed(stance)), withProbs(b, probs, stance)).vector;
    expect(Array.from(x)).toEqual(Array.from(y));
  });
});
