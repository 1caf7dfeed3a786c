// The commission pages' two dictionaries name the same texts: a key missing in one language shows as the raw key on
// that language's pages.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const keys = (lang: string) => Object.keys(JSON.parse(readFileSync(`public/review/i18n/${lang}.json`, 'utf8'))).sort();

describe('commission page texts', () => {
  it('has the same keys in English and Arabic', () => {
    expect(keys('ar')).toEqual(keys('en'));
  });
});
