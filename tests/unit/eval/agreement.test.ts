import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { annotatorAgreement, parseSecondLabels } from '../../../src/eval/agreement.ts';
import { loadCorpus, type CorpusRow } from '../../../src/classify/model/corpus.ts';

const row = (id: string, lang: 'en' | 'ar', terms: string[], stance: CorpusRow['labels']['stance']): CorpusRow => ({
  id: `g/${id}`,
  group: 'g',
  kind: 'published',
  lang,
  narrative: 'x',
  placeName: null,
  partyAlleged: null,
  labels: { terms, stance },
  incident: id,
  observedAt: '2020-11-01T12:00:00+02:00',
  lat: null,
  lon: null,
});

describe('annotatorAgreement', () => {
  const corpus = [
    row('a', 'en', ['hostilities'], 'violation'),
    row('b', 'en', ['road_opening'], 'compliance'),
    row('c', 'ar', ['none'], 'information'),
  ];
  it('scores the second reader against the corpus labels, per language', () => {
    const a = annotatorAgreement(
      corpus,
      parseSecondLabels(
        [
          '{"group":"g","id":"a","terms":["hostilities"],"stance":"violation"}',
          '{"group":"g","id":"b","terms":["road_opening","mines_uxo"],"stance":"information"}',
          '{"group":"g","id":"c","terms":["none"],"stance":"information"}',
        ].join('\n'),
      ),
    );
    expect(a.count).toBe(3);
    // 3 shared terms, 1 extra: P 0.75, R 1.
    expect(a.microF1).toBeCloseTo(0.8571, 4);
    expect(a.stanceAccuracy).toBeCloseTo(2 / 3, 4);
    expect(a.perLanguage.en.count).toBe(2);
    expect(a.perLanguage.en.stanceAccuracy).toBe(0.5);
    expect(a.perLanguage.ar.microF1).toBe(1);
  });
  it('refuses a row the corpus does not have, and names a malformed line', () => {
    expect(() =>
      annotatorAgreement(corpus, parseSecondLabels('{"group":"g","id":"zz","terms":["none"],"stance":"information"}')),
    ).toThrow(/g\/zz is not a row/);
    expect(() => parseSecondLabels('\n{"group":"g","id":"a","terms":[],"stance":"information"}')).toThrow(
      /line 2: terms/,
    );
    expect(() => parseSecondLabels('{oops')).toThrow(/line 1: not JSON/);
    const once = '{"group":"g","id":"a","terms":["hostilities"],"stance":"violation"}';
    expect(() => parseSecondLabels(`${once}\n${once}`)).toThrow(/line 2: g\/a is given twice/);
  });
  it('the committed second reading covers rows of the committed corpus', () => {
    const second = parseSecondLabels(
      readFileSync(new URL('../../../data/corpus/second-annotator/published-sample.jsonl', import.meta.url), 'utf8'),
    );
    // Every row is one of the corpus's published paragraphs (annotatorAgreement throws otherwise), ten per collection.
    const published = new Map(
      loadCorpus()
        .filter((r) => r.kind === 'published')
        .map((r) => [r.id, r]),
    );
    const rows = second.map((s) => published.get(`${s.group}/${s.id}`));
    expect(rows.every(Boolean)).toBe(true);
    const a = annotatorAgreement([...published.values()], second);
    expect(a.perLanguage.en.count + a.perLanguage.ar.count).toBe(second.length);
    expect(a.perLanguage.en.count).toBe(rows.filter((r) => r!.lang === 'en').length);
    const perGroup = new Map<string, number>();
    for (const s of second) perGroup.set(s.group, (perGroup.get(s.group) ?? 0) + 1);
    expect(perGroup.size).toBe(21);
    expect([...perGroup.values()].every((n) => n === 10)).toBe(true);
  });
});
