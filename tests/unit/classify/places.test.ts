import { describe, expect, it } from 'vitest';
import {
  placeByName,
  resolvePlace,
  searchPlaces,
  findPlaceMentions,
  skeletonKey,
  bothScripts,
  placeSpellings,
  placesInReasons,
} from '../../../src/classify/places.ts';
import { normalizeText } from '../../../src/classify/normalize.ts';

describe('place names → gazetteer', () => {
  it.each([
    ['Sirte', 'sirte'],
    ['Surt', 'sirte'],
    ['Syrte', 'sirte'],
    ['سرت', 'sirte'],
    ['Misrata', 'misrata'],
    ['Misurata', 'misrata'],
    ['مصراتة', 'misrata'],
    ['مصراته', 'misrata'],
    ['Jufra', 'jufra'],
    ['Jafra', 'jufra'],
    ['Al-Jufra', 'jufra'],
    ['الجفرة', 'jufra'],
    ['الجفره', 'jufra'],
    ['Tarhunah', 'tarhuna'],
    ['ترهونه', 'tarhuna'],
    ['Awbari', 'ubari'],
    ['Marsa al-Brega', 'brega'],
    ['Abugrein', 'abu_grein'],
    ['أبو قرين', 'abu_grein'],
    ['Sebha', 'sabha'],
  ])('%s → %s', (name, id) => {
    expect(placeByName(name)?.id).toBe(id);
  });
  it('handles unseen transliterations through the consonant skeleton', () => {
    expect(skeletonKey('Syrte')).toBe(skeletonKey('Surt'));
    expect(placeByName('Tarhounah')?.id).toBe('tarhuna');
    expect(placeByName('Ghardabiyah')?.id).toBe('qardabiya');
  });
  it('finds the place inside a longer typed name, or nothing', () => {
    expect(placeByName('Sirte western gate')?.id).toBe('sirte');
    expect(placeByName('Jufra airbase')?.id).toBe('jufra_airbase');
    expect(placeByName('Coastal road km 60')).toBeNull();
  });
});

describe('resolvePlace', () => {
  it('gives coordinates for a name-only report', () => {
    const p = resolvePlace({ lat: null, lon: null, placeName: 'Misurata' });
    expect(p).toMatchObject({ id: 'misrata', source: 'name', nameAr: 'مصراتة' });
    expect(p.lat).toBeCloseTo(32.38, 1);
  });
  it('names the nearest place for coordinates only, with its distance', () => {
    const p = resolvePlace({ lat: 29.13, lon: 15.95 });
    expect(p).toMatchObject({ id: 'hun', name: 'Hun', source: 'coordinates', lat: 29.13, lon: 15.95 });
    expect(p.distanceKm).toBeLessThan(2);
  });
  it('keeps the typed name when it agrees with the coordinates, else the nearest place', () => {
    expect(resolvePlace({ lat: 31.3, lon: 15.4, placeName: 'Abu Grein' }).id).toBe('abu_grein');
    expect(resolvePlace({ lat: 32.1, lon: 20.1, placeName: 'Sirte' }).id).toBe('benghazi');
  });
  it('returns none when nothing resolves', () => {
    expect(resolvePlace({ placeName: 'somewhere' })).toMatchObject({ source: 'none', id: null });
  });
});

describe('searchPlaces (autocomplete)', () => {
  it('matches prefixes in English and Arabic', () => {
    expect(searchPlaces('misr', 5).map((s) => s.id)).toContain('misrata');
    expect(searchPlaces('مصر', 5).map((s) => s.id)).toContain('misrata');
    expect(searchPlaces('جفر', 5).map((s) => s.id)).toContain('jufra');
    expect(searchPlaces('surt', 3)[0].id).toBe('sirte');
    expect(searchPlaces('x', 3).length).toBeLessThanOrEqual(3);
  });
});

describe('place mentions in narratives', () => {
  it('finds English and Arabic names with prefixes', () => {
    const ids = (t: string) => findPlaceMentions(normalizeText(t)).map((m) => m.placeId);
    expect(ids('Convoy passed Harawa eastbound from Sirte')).toEqual(['harawa', 'sirte']);
    expect(ids('اشتباكات في حي الطيوري بسبها')).toEqual(['tayouri', 'sabha']);
  });
  it('reads the Libyan prosthetic alef before an initial mim ("امعيتيقة", "امصراتة")', () => {
    expect(placeByName('مطار امعيتيقة')?.id).toBe('mitiga');
    expect(placeByName('امصراتة')?.id).toBe('misrata');
  });
  it('a name naming two places stands for the more specific one (facility over town), in either order', () => {
    expect(placeByName('Zuwara / Mellitah')?.id).toBe('mellitah');
    expect(placeByName('مليتة - زوارة')?.id).toBe('mellitah');
    expect(placeByName('Ras Lanuf, Bin Jawad')?.id).toBe('ras_lanuf');
  });
});

describe('places in both scripts (the commission pages)', () => {
  it('gives the English and Arabic name of a place named in either script or a variant', () => {
    expect(bothScripts('Sirte')).toEqual({ name: 'Sirte', nameAr: 'سرت' });
    expect(bothScripts('سرت')).toEqual({ name: 'Sirte', nameAr: 'سرت' });
    expect(bothScripts('Misurata')).toEqual({ name: 'Misrata', nameAr: 'مصراتة' });
    expect(bothScripts('Nowhereville')).toBeNull();
    expect(bothScripts(null)).toBeNull();
  });

  it('spells a place search in both scripts, keeping the query itself', () => {
    const sirte = placeSpellings('سرت');
    expect(sirte[0]).toBe('سرت');
    expect(sirte).toContain('Sirte');
    expect(placeSpellings('Sirte')).toContain('سرت');
    expect(placeSpellings('Nowhereville')).toEqual(['Nowhereville']);
  });

  it("names the places dedup's reasons cite by id", () => {
    expect(placesInReasons(['distance 0.2 km', 'same place sirte', 'both name misrata, sirte'])).toEqual({
      sirte: { name: 'Sirte', nameAr: 'سرت' },
      misrata: { name: 'Misrata', nameAr: 'مصراتة' },
    });
    expect(placesInReasons(['same place no_such_place'])).toEqual({});
  });
});
