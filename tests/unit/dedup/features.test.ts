import { describe, expect, it } from 'vitest';
import { extractNumbers, geoCell, neighbourCells } from '../../../src/dedup/features.ts';
import { normalizeText } from '../../../src/classify/normalize.ts';
import { makeFeatures } from '../../helpers/factories.ts';

describe('numbers', () => {
  it.each([
    ['0540L: convoy of 9 buses and 4 pickups', [4, 9]],
    ['رتل يضم تسع حافلات وأربع سيارات', [4, 9]],
    ['رتل من خمس عشرة آلية', [15]],
    ['Column of ~15 vehicles between 2220 and 2235', [15]],
    ['نحو مئتي مقاتل في أربعين سيارة', [40, 200]],
    ['maybe 150.', [150]],
    // Words that are names on every plain object are not numbers.
    ['A Turkish constructor, valueOf and toString say 12 trucks', [12]],
  ])('%s', (text, nums) => {
    expect(extractNumbers(normalizeText(text))).toEqual(nums);
  });
});

describe('geo cells', () => {
  it('blocks by 0.1° cells with 8 neighbours', () => {
    expect(geoCell(31.21, 16.59)).toBe('312:165');
    expect(neighbourCells('312:165')).toHaveLength(9);
    expect(neighbourCells('312:165')).toContain('311:164');
  });
});

describe('extractFeatures', () => {
  it('is compact JSON with places, time, language and blocking cells', () => {
    const f = makeFeatures({
      narrative: 'وصول رتل من 15 آلية إلى سرت قادماً من الهراوة أمس',
      observedAt: '2021-01-05T08:00:00+02:00',
      placeName: 'سرت',
    });
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
    expect(f).toMatchObject({ language: 'ar', placeKey: 'sirte', positionSource: 'name', numbers: [15] });
    expect(f.places).toEqual(expect.arrayContaining(['sirte', 'harawa']));
    expect(f.eventDays).toEqual(['2021-01-05', '2021-01-04']);
    expect(f.cells.length).toBeGreaterThanOrEqual(2);
  });
  it('falls back to a place named in the narrative when the report has no usable place', () => {
    const f = makeFeatures({
      narrative: 'Video threatens to storm Sirte by force, calls JMC traitors.',
      observedAt: '2021-05-03T19:00:00+02:00',
      placeName: 'Online',
    });
    expect(f).toMatchObject({ positionSource: 'narrative', placeKey: 'sirte' });
  });
  it('uses the local (Libya) calendar day', () => {
    const f = makeFeatures({
      narrative: 'Gunfire in Janzour.',
      observedAt: '2021-01-05T23:30:00Z',
      placeName: 'Janzour',
    });
    expect(f.eventDays[0]).toBe('2021-01-06');
  });
});
