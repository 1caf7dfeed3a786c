// The observer app's offline place search folds Arabic letters as the server's normalisation does: a name typed on a
// Persian or Urdu keyboard finds the same place with and without a link.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a browser module without types, pure apart from its fetches.
import { fold } from '../../../public/app/places.js';
import { normalizeText } from '../../../src/classify/normalize.ts';

describe('offline place search', () => {
  it.each([...'أإآىةیکڪھہۀەۃےپچڤڥ'])('folds %s as the server does', (c) => expect(fold(c)).toBe(normalizeText(c)));
  it('finds a place typed with Farsi yeh and keheh', () => {
    expect(fold('الکفرة')).toBe(fold('الكفرة'));
    expect(fold('بنی ولید')).toBe(fold('بني وليد'));
  });
});
