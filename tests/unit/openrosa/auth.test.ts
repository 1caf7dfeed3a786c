import { describe, expect, it } from 'vitest';
import { basicAllowed, parseBasic } from '../../../src/openrosa/auth.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseBasic', () => {
  it.each([
    [`Basic ${b64('observer1:s3cret')}`, { username: 'observer1', password: 's3cret' }],
    [`basic ${b64('observer1:pass:with:colons')}`, { username: 'observer1', password: 'pass:with:colons' }],
    [`Basic ${b64('مراقب:كلمة-السر')}`, { username: 'مراقب', password: 'كلمة-السر' }],
    [`Basic ${b64('observer1:')}`, { username: 'observer1', password: '' }],
    [`Basic ${b64(':nouser')}`, null],
    [`Basic ${b64('no-colon')}`, null],
    ['Bearer cft_abc', null],
    ['Basic not base64!', null],
    [undefined, null],
  ])('%s', (header, expected) => expect(parseBasic(header)).toEqual(expected));
});

describe('basicAllowed', () => {
  it.each([
    [{ secure: false, basicNeedsTls: false }, true],
    [{ secure: true, basicNeedsTls: true }, true],
    [{ secure: false, basicNeedsTls: true }, false],
    [{ secure: true, basicNeedsTls: false, urlToken: 'cft_x' }, false],
  ])('%j → %s', (c, expected) => expect(basicAllowed(c)).toBe(expected));
});
