// The pair model's second stage: trees boosted on what the linear weights leave. They must learn an interaction the
// weights cannot (two features that mean "one incident" apart and "two incidents" together), train the same bytes
// from the same pairs, and score a pair exactly as training binned it.
import { describe, expect, it } from 'vitest';
import { PAIR_FEATURES } from '../../../src/dedup/pair.ts';
import { readFileSync } from 'node:fs';
import {
  loadPairModel,
  pairLogit,
  pairModelFile,
  parsePairModel,
  pairProbability,
  trainPairWeights,
  type PairExample,
  type PairModel,
} from '../../../src/dedup/pair-model.ts';
import { trainPairTrees, treeLogit } from '../../../src/dedup/pair-trees.ts';
import { replayGroup, type DedupRow } from '../../../src/dedup/pair-train.ts';
import type { PairScoreMemo } from '../../../src/dedup/dedup.ts';
import { makeFeatures } from '../../helpers/factories.ts';

const d = PAIR_FEATURES.length;
const at = (f: string) => PAIR_FEATURES.indexOf(f as (typeof PAIR_FEATURES)[number]);

// One article's separate acts: same day and shared wording each say "one incident"; together, with no shared
// number, they are the article's other paragraphs. A linear model cannot say "each alone yes, both no".
function interactionPairs(): PairExample[] {
  const out: PairExample[] = [];
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 48271) % 2147483647) >>> 0) % 1000) / 1000;
  for (let i = 0; i < 2000; i++) {
    const x = new Float64Array(d);
    x[0] = 1;
    const sameDay = rnd() < 0.5 ? 1 : 0;
    const wording = rnd() < 0.5 ? 1 : 0;
    x[at('same_day')] = sameDay;
    x[at('words_jaccard')] = wording ? 0.4 + rnd() * 0.3 : rnd() * 0.1;
    x[at('concepts_jaccard')] = rnd();
    // XOR: one incident when exactly one of the two holds.
    out.push({ x, y: sameDay !== wording ? 1 : 0 });
  }
  return out;
}

const model = (weights: number[], trees: PairModel['trees']): PairModel => ({
  features: [...PAIR_FEATURES],
  weights,
  trees,
  threshold: 0.5,
  mergeThreshold: 0.8,
  trainedOn: { pairs: 0, positives: 0, dataSha256: '' },
});

const accuracy = (m: PairModel, xs: PairExample[]) =>
  xs.filter((e) => (pairLogit(m, e.x) >= 0 ? 1 : 0) === e.y).length / xs.length;

describe('boosted pair trees', () => {
  it('learn the interaction the linear weights cannot express', () => {
    const pairs = interactionPairs();
    const weights = trainPairWeights(pairs);
    const linear = model(weights, undefined);
    const base = Float64Array.from(pairs, (e) => pairLogit(linear, e.x));
    const trees = trainPairTrees(pairs, base, { trees: 40 });
    expect(accuracy(linear, pairs)).toBeLessThan(0.7);
    expect(accuracy(model(weights, trees), pairs)).toBeGreaterThan(0.97);
  });

  it('train the same trees from the same pairs', () => {
    const pairs = interactionPairs();
    const base = new Float64Array(pairs.length);
    expect(JSON.stringify(trainPairTrees(pairs, base, { trees: 10 }))).toBe(
      JSON.stringify(trainPairTrees(pairs, base, { trees: 10 })),
    );
  });

  it('score a value on a cut point on the side training put it', () => {
    // 0.5 and 0.525 (a cut point) are two incidents' worth apart: training must bin 0.525 with the values above the
    // cut, and scoring must send it the same way, or the pairs it learned from score on the wrong side.
    const pairs: PairExample[] = [];
    for (let i = 0; i < 400; i++) {
      const x = new Float64Array(d);
      x[0] = 1;
      x[at('words_jaccard')] = i % 2 ? 0.525 : 0.5;
      pairs.push({ x, y: i % 2 ? 1 : 0 });
    }
    const trees = trainPairTrees(pairs, new Float64Array(pairs.length), { trees: 20 });
    expect(treeLogit(trees, pairs[1]!.x)).toBeGreaterThan(1);
    expect(treeLogit(trees, pairs[0]!.x)).toBeLessThan(-1);
  });

  it('refuse a model file whose tree would not walk forward to a leaf', () => {
    const file = readFileSync(pairModelFile('libya-2020'), 'utf8');
    expect(() => parsePairModel(file)).not.toThrow();
    const withTree = (tree: object) => JSON.stringify({ ...JSON.parse(file), trees: [tree] });
    // A node sending pairs back to itself would hang every dedup call; one pointing past the end would score NaN.
    expect(() => parsePairModel(withTree({ f: [0], v: [0.5], hi: [0] }))).toThrow(/walk forward/);
    expect(() => parsePairModel(withTree({ f: [3, -1, -1], v: [0.5, 1, -1], hi: [7, -1, -1] }))).toThrow(/walk/);
    expect(() => parsePairModel(withTree({ f: [3, -1], v: [0.5, 1], hi: [1, -1] }))).toThrow(/walk/);
    expect(() => parsePairModel(withTree({ f: [999, -1, -1], v: [0.5, 1, -1], hi: [2, -1, -1] }))).toThrow(/walk/);
    expect(() => parsePairModel(withTree({ f: [], v: [], hi: [] }))).toThrow(/walk/);
    expect(() => parsePairModel(withTree({ f: [3, -1, -1], v: [0.5, 1, -1], hi: [2, -1, -1] }))).not.toThrow();
  });

  it('add nothing when nothing is left to learn', () => {
    const pairs = interactionPairs().map((e) => ({ ...e, y: 1 as const }));
    // Every pair already scored certain: no split gains, no tree is kept.
    expect(trainPairTrees(pairs, new Float64Array(pairs.length).fill(30))).toEqual([]);
  });
});

describe('the threshold search’s replays', () => {
  const shipped = loadPairModel('libya-2020')!;
  const spec = (id: string, incident: string, hour: number, narrative: string, lat = 31.2, lon = 16.59) => ({
    row: { id, group: 'g', incident, observedAt: new Date(Date.UTC(2021, 2, 2, hour)).toISOString() } as DedupRow,
    features: makeFeatures({
      observedAt: new Date(Date.UTC(2021, 2, 2, hour)).toISOString(),
      lat,
      lon,
      placeName: 'Sirte',
      narrative,
    }),
  });
  const rows = [
    spec(
      'a1',
      'A',
      5,
      'Artillery shelling hit positions east of Sirte at dawn; 12 rounds impacted, 2 fighters injured.',
    ),
    spec('a2', 'A', 6, 'قصف مدفعي على مواقع شرق سرت فجر اليوم، سقوط 12 قذيفة وإصابة مقاتلين اثنين'),
    spec('a3', 'A', 8, 'Locals heard shelling east of Sirte this morning, two wounded taken to the hospital.'),
    spec('b1', 'B', 9, 'The coastal road west gate of Sirte reopened to civilian traffic, trucks passing.'),
    spec('b2', 'B', 11, 'Civilian cars and trucks pass the reopened western gate of Sirte on the coastal road.'),
    spec('c1', 'C', 10, 'A convoy of 20 pickups with foreign fighters left Jufra airbase heading north.', 29.2, 16.0),
  ];

  it('decide the same with pair scores shared across trials as without', () => {
    const memo: PairScoreMemo = new WeakMap();
    for (const threshold of [0.3, 0.5, 0.7, 0.9])
      for (const linkage of [1, 0]) {
        const m = { ...shipped, threshold, linkage };
        expect(replayGroup(rows, m, memo)).toEqual(replayGroup(rows, m));
      }
    // The memo was used: it holds the pairs the replays met.
    expect(memo.get(rows[1]!.features)?.size).toBeGreaterThan(0);
  });

  it('score with the shipped model’s trees, and name them among what weighed', () => {
    expect(shipped.trees?.length).toBeGreaterThan(0);
    const r = pairProbability(shipped, rows[0]!.features, rows[1]!.features);
    expect(r.contributions.map(([f]) => f)).toContain('interactions');
    const linearOnly = pairProbability({ ...shipped, trees: undefined }, rows[0]!.features, rows[1]!.features);
    expect(r.p).not.toBe(linearOnly.p);
  });
});
