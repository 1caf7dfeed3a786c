import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../../src/agreements/index.ts';
import { loadGazetteer } from '../../../src/classify/places.ts';
import { judgePosition, missionArea } from '../../../src/classify/position.ts';

const g = loadGazetteer('libya');
const area = loadAgreement('libya-2020').area;
const judge = (lat: number | null, lon: number | null, placeName: string | null = null) =>
  judgePosition({ lat, lon, placeName }, g, area);

// Sirte 31.2089, 16.5887; Kufra 24.1833, 23.2833 in the gazetteer.
describe('judgePosition', () => {
  it('leaves a point in Libya that agrees with the typed place alone', () => {
    expect(judge(31.205, 16.588, 'Sirte')).toEqual({
      use: { lat: 31.205, lon: 16.588, placeName: 'Sirte' },
      flags: [],
    });
  });

  it('reads a point in Paris with "Sirte" typed as Sirte, and flags what was reported', () => {
    const judged = judge(48.8566, 2.3522, 'Sirte');
    expect(judged.use).toEqual({ lat: null, lon: null, placeName: 'Sirte' });
    expect(judged.flags).toEqual([
      {
        code: 'outside_area',
        field: 'position',
        reported: { lat: 48.8566, lon: 2.3522, placeName: 'Sirte' },
        inferred: { lat: 31.2089, lon: 16.5887, place: 'Sirte', placeAr: 'سرت' },
      },
    ]);
  });

  it('flags a point in Paris with no place typed, inferring nothing', () => {
    const judged = judge(48.8566, 2.3522);
    expect(judged.use).toEqual({ lat: null, lon: null, placeName: null });
    expect(judged.flags[0]).toMatchObject({ code: 'outside_area', inferred: null });
  });

  it('swaps latitude and longitude back when the swapped point is in the area and near the typed place', () => {
    const judged = judge(16.588, 31.205, 'Sirte');
    expect(judged.use).toEqual({ lat: 31.205, lon: 16.588, placeName: 'Sirte' });
    expect(judged.flags).toEqual([
      {
        code: 'swapped_coordinates',
        field: 'position',
        reported: { lat: 16.588, lon: 31.205, placeName: 'Sirte' },
        inferred: { lat: 31.205, lon: 16.588 },
      },
    ]);
  });

  it('swaps a point outside the area even with no place typed, when the swap lands inside', () => {
    expect(judge(16.588, 31.205).flags[0]!.code).toBe('swapped_coordinates');
  });

  it('swaps a point inside the area when only the swapped one agrees with the typed name (Kufra, lat/lon close)', () => {
    const judged = judge(23.2833, 24.1833, 'الكفرة');
    expect(judged.use).toMatchObject({ lat: 24.1833, lon: 23.2833 });
    expect(judged.flags[0]!.code).toBe('swapped_coordinates');
  });

  it('keeps the point and flags the disagreement when "Sirte" is typed at a point near Kufra', () => {
    const judged = judge(24.2, 23.3, 'Sirte');
    expect(judged.use).toEqual({ lat: 24.2, lon: 23.3, placeName: 'Sirte' });
    expect(judged.flags).toHaveLength(1);
    expect(judged.flags[0]).toMatchObject({
      code: 'place_mismatch',
      reported: { lat: 24.2, lon: 23.3, placeName: 'Sirte' },
      inferred: { place: 'Kufra', placeAr: 'الكفرة', typedPlace: 'Sirte', typedPlaceAr: 'سرت' },
    });
    expect((judged.flags[0]!.inferred as { distanceKm: number }).distanceKm).toBeGreaterThan(900);
  });

  it('flags a place name the gazetteer does not hold when there is no point', () => {
    expect(judge(null, null, 'Bir Nowhere')).toEqual({
      use: { lat: null, lon: null, placeName: 'Bir Nowhere' },
      flags: [{ code: 'unknown_place', field: 'placeName', reported: { placeName: 'Bir Nowhere' }, inferred: null }],
    });
    expect(judge(null, null, 'Sirte').flags).toEqual([]);
  });

  it("without an agreement's area, takes the box around the gazetteer's places with a margin", () => {
    const box = missionArea(g);
    expect(box.minLat).toBeLessThan(24.1833);
    expect(box.maxLon).toBeGreaterThan(25);
    expect(judgePosition({ lat: 48.85, lon: 2.35, placeName: null }, g).flags[0]!.code).toBe('outside_area');
  });
});
