import { describe, expect, it } from 'vitest';
import { effectiveClassification, sameEffective } from '../../../src/pipeline/effective.ts';
import { processingInputHash } from '../../../src/pipeline/input-hash.ts';
import { incidentSummary } from '../../../src/incidents/summary.ts';

const auto = {
  terms: [
    { id: 'hostilities', confidence: 0.9, evidence: [] },
    { id: 'troop_return', confidence: 0.6, evidence: [] },
  ],
  stance: 'violation' as const,
};

describe('effectiveClassification', () => {
  it('takes the automatic terms in order of strength, confident as the strongest', () => {
    expect(effectiveClassification(auto, null)).toEqual({
      terms: ['hostilities', 'troop_return'],
      stance: 'violation',
      confidence: 0.9,
    });
  });
  it('lets a reviewer correction win, with full confidence', () => {
    expect(effectiveClassification(auto, { terms: ['road_opening'], stance: 'compliance', by: 'rev' })).toEqual({
      terms: ['road_opening'],
      stance: 'compliance',
      confidence: 1,
    });
  });
  it('is empty before any classification', () => {
    expect(effectiveClassification(null, null)).toEqual({ terms: [], stance: null, confidence: null });
  });
  it('compares terms in order and the stance', () => {
    const e = effectiveClassification(auto, null);
    expect(sameEffective(e, { terms: ['hostilities', 'troop_return'], stance: 'violation' })).toBe(true);
    expect(sameEffective(e, { terms: ['hostilities'], stance: 'violation' })).toBe(false);
    expect(sameEffective(e, { terms: ['hostilities', 'troop_return'], stance: 'information' })).toBe(false);
  });
});

describe('processingInputHash', () => {
  const r = { contentHash: 'a'.repeat(64), attachmentHashes: ['2', '1'] };
  it('ignores attachment order but not new evidence or a new analyzer', () => {
    expect(processingInputHash(r, 'v1')).toBe(processingInputHash({ ...r, attachmentHashes: ['1', '2'] }, 'v1'));
    expect(processingInputHash(r, 'v1')).not.toBe(
      processingInputHash({ ...r, attachmentHashes: ['1', '2', '3'] }, 'v1'),
    );
    expect(processingInputHash(r, 'v1')).not.toBe(processingInputHash(r, 'v2'));
  });
});

describe('incidentSummary', () => {
  const base = {
    terms: ['arms_transfer'],
    stance: 'violation' as const,
    placeName: null,
    lat: 32.1,
    lon: 20.06,
    reportCount: 1,
    languages: ['ar'],
    parties: [],
    casualties: { killed: 0, injured: 0, missing: 0, detained: 0 },
    firstObservedAt: new Date('2020-12-02T10:00:00Z'),
    lastObservedAt: new Date('2020-12-03T08:00:00Z'),
  };
  it('falls back to coordinates and spans days', () => {
    expect(incidentSummary(base)).toBe(
      'Violation: Arms and military equipment transfers · at 32.100, 20.060 · 1 report (ar) · 2020-12-02 to 2020-12-03',
    );
  });
  it('says when a report is unrelated to the ceasefire', () => {
    expect(incidentSummary({ ...base, terms: ['none'], stance: 'information' })).toMatch(
      /^Not related to the ceasefire · /,
    );
  });
});
