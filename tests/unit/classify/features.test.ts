// The model's feature vectors are part of what the committed weights mean: any faster way of computing them must
// give the same vector to the bit, or the shipped model reads different features from the ones it was trained on.
import { describe, expect, it } from 'vitest';
import {
  Bag,
  hash32,
  reportFeatures,
  termContextFeatures,
  DEFAULT_BITS,
} from '../../../src/classify/model/features.ts';
import type { RuleEvidence } from '../../../src/classify/classifier.ts';

/** The plain definition: a dense sum per bucket (a sum landing on 0 kept as 1e-12), sorted, log-scaled, L2-normed. */
function reference(adds: Array<[number, number]>, mask: number, bias: boolean) {
  const acc = new Map<number, number>();
  for (const [h, v] of adds) {
    const i = h & mask;
    acc.set(i, (acc.get(i) ?? 0) + v || 1e-12);
  }
  const keys = [...acc.keys()].sort((a, b) => a - b);
  const raw = keys.map((k) => Math.sign(acc.get(k)!) * Math.log1p(Math.abs(acc.get(k)!)));
  const norm = raw.reduce((s, v) => s + v * v, 0);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  // Stored as float32, then scaled and stored again: two roundings, as the vector is built.
  const value = Float32Array.from(Float32Array.from(raw), (v) => v * scale);
  return {
    index: Int32Array.from(bias ? [...keys, mask + 1] : keys),
    value: bias ? Float32Array.from([...value, 1]) : value,
  };
}

function lcg(seed: number) {
  let s = seed;
  return () => (s = (Math.imul(s, 48271) % 2147483647) >>> 0);
}

describe('feature bag', () => {
  it('gives the dense sum to the bit: few buckets, thousands (the table grows), collisions and cancellations', () => {
    const next = lcg(7);
    for (const [n, mask] of [
      [10, (1 << 18) - 1],
      [5000, (1 << 18) - 1],
      [3000, (1 << 10) - 1],
    ] as const) {
      const adds: Array<[number, number]> = [];
      for (let i = 0; i < n; i++) {
        const h = next();
        adds.push([h, ((next() % 7) - 3) * 0.3]);
        // The same bucket again with the opposite value: the sum lands on exactly 0.
        if (i % 50 === 0) adds.push([h, -adds[adds.length - 1]![1]]);
      }
      for (const bias of [true, false]) {
        const bag = new Bag(mask);
        for (const [h, v] of adds) bag.addHash(h, v);
        const got = bag.vector(bias);
        const want = reference(adds, mask, bias);
        expect(Array.from(got.index)).toEqual(Array.from(want.index));
        expect(Array.from(got.value)).toEqual(Array.from(want.value));
      }
    }
  });

  it('leaves nothing for the next report: after a vector, after a bag dropped half built, and with two bags alive', () => {
    const mask = (1 << 18) - 1;
    const fresh = () => {
      const b = new Bag(mask);
      b.add('w:convoy', 2);
      b.add('w:shelling', 0.5);
      return b.vector();
    };
    const want = fresh();
    expect(want.index.length).toBe(3);
    // A report's features after another report's (the table is handed on emptied).
    expect(fresh()).toEqual(want);
    // A bag dropped before its vector (a report whose features threw): its sums never reach the next report.
    const dropped = new Bag(mask);
    for (let i = 0; i < 3000; i++) dropped.add(`w:${i}`);
    dropped.add('w:convoy', 5);
    expect(fresh()).toEqual(want);
    // Two bags at once each keep their own sums.
    const a = new Bag(mask);
    a.add('w:convoy', 2);
    const b = new Bag(mask);
    b.add('w:airstrike');
    a.add('w:shelling', 0.5);
    expect(a.vector()).toEqual(want);
    expect(Array.from(b.vector().index)).toEqual([hash32('w:airstrike') & mask, mask + 1]);
  });

  it('does not carry a failed report into the next (features of a report that threw, then the same report)', () => {
    const rules = {
      termScores: {},
      negatedTermScores: {},
      noneScore: 0,
      stanceSums: {},
      concepts: [],
      negatedConcepts: [],
    };
    const text = Array.from({ length: 60 }, (_, i) => `word${i} convoy shelling`).join(' ');
    const want = reportFeatures({ text, placeName: 'Sirte', rules } as never);
    for (let i = 0; i < 3; i++) expect(() => reportFeatures({ text, placeName: 42, rules } as never)).toThrow();
    expect(reportFeatures({ text, placeName: 'Sirte', rules } as never)).toEqual(want);
  });

  it('hashes a prefix and its parts as the whole string, without making it', () => {
    const mask = (1 << 18) - 1;
    const a = new Bag(mask);
    a.addAfter(hash32('hostilities|w:'), 'قصف');
    a.addPair(hash32('b:'), 'heavy', 'shelling');
    const got = a.vector();
    const b = new Bag(mask);
    b.add('hostilities|w:قصف');
    b.add('b:heavy_shelling');
    expect(got).toEqual(b.vector());
  });
});

describe('report features', () => {
  const rules: RuleEvidence = {
    termScores: { hostilities: 2.5 },
    negatedTermScores: {},
    noneScore: 0,
    stanceSums: { violation: 1.5 },
    concepts: ['artillery'],
    negatedConcepts: [],
    foreignPlace: false,
    libyanPlace: true,
  } as unknown as RuleEvidence;

  it('names every word, word pair and negated word by its string', () => {
    const text = 'heavy shelling near abu grein no casualties';
    const { words, base } = reportFeatures({ text, placeName: null, partyAlleged: null, rules });
    const mask = (1 << DEFAULT_BITS) - 1;
    const has = (name: string) => base.index.includes(hash32(name) & mask);
    for (const name of ['w:heavy', 'b:heavy_shell', 'w:shell', 'n:casualty', 'party:none', 'rt:hostilities'])
      expect(has(name), name).toBe(true);
    const context = termContextFeatures(words, rules, ['hostilities']);
    const inContext = (name: string) => context.index.includes(hash32(name) & mask);
    for (const name of ['t:hostilities', 'hostilities|w:shell', 'hostilities|b:heavy_shell', 'hostilities|n:casualty'])
      expect(inContext(name), name).toBe(true);
  });
});
