import { describe, expect, it } from 'vitest';
import { basicAllowed, createBasicCache, parseBasic } from '../../../src/openrosa/auth.ts';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('parseBasic', () => {
  it.each([
    [`Basic ${b64('observer1:s3cret')}`, { username: 'observer1', password: 's3cret' }],
    [`basic ${b64('observer1:pass:with:colons')}`, { username: 'observer1', password: 'pass:with:colons' }],
    [`Basic ${b64('مراقب:كلمة-السر')}`, { username: 'مراقب', password: 'كلمة-السر' }],
    [`Basic ${b64('observer1:')}`, { username: 'observer1', password: '' }],
    // An empty name decodes; src/auth refuses it with the other malformed pairs.
    [`Basic ${b64(':nouser')}`, { username: '', password: 'nouser' }],
    [`Basic ${b64('no-colon')}`, { unreadable: 'malformed Basic credentials: expected username:password' }],
    ['Bearer cft_abc', { unreadable: 'send HTTP Basic credentials (or a Bearer token)' }],
    ['Basic not base64!', { unreadable: 'malformed Basic credentials: not base64' }],
    ['Basic ***', { unreadable: 'malformed Basic credentials: not base64' }],
    [undefined, { unreadable: 'send HTTP Basic credentials (or a Bearer token)' }],
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

describe('createBasicCache', () => {
  const user = {
    id: '8f7d3c2a-1b4e-4f6a-9c8d-7e6f5a4b3c2d',
    username: 'observer1',
    role: 'observer' as const,
    displayName: null,
  };

  it('remembers a verified pair until its time runs out', () => {
    let t = 0;
    const cache = createBasicCache(30_000, () => t);
    cache.set('k', user, '0');
    t = 4_999;
    expect(cache.get('k', '0')).toEqual({ user, recheck: false });
    t = 29_999;
    expect(cache.get('k', '0')).toEqual({ user, recheck: true });
    t = 30_000;
    expect(cache.get('k', '0')).toBeUndefined();
    expect(cache.get('other', '0')).toBeUndefined();
  });

  it('stays bounded', () => {
    const cache = createBasicCache(30_000, () => 0, 2);
    cache.set('a', user, '0');
    cache.set('b', user, '0');
    cache.set('c', user, '0');
    expect(cache.get('a', '0')).toBeUndefined();
    expect(cache.get('c', '0')?.user).toEqual(user);
  });

  it('asks for the account to be read again every few seconds, keeping the expiry of the pair', () => {
    let t = 0;
    const cache = createBasicCache(30_000, () => t, 10, 5_000);
    cache.set('k', user, '0');
    t = 6_000;
    expect(cache.get('k', '0')?.recheck).toBe(true);
    cache.rechecked('k', { ...user, role: 'commission' }, '0');
    expect(cache.get('k', '0')).toEqual({ user: { ...user, role: 'commission' }, recheck: false });
    t = 30_000;
    expect(cache.get('k', '0')).toBeUndefined(); // a recheck does not extend the pair's life
    cache.set('d', user, '0');
    cache.rechecked('d', null, '0'); // account disabled
    expect(cache.get('d', '0')).toBeUndefined();
  });

  it('asks at once when the credential epoch has moved, and always while it cannot be read', () => {
    const cache = createBasicCache(30_000, () => 0);
    cache.set('k', user, '3');
    expect(cache.get('k', '3')?.recheck).toBe(false);
    expect(cache.get('k', '4')?.recheck).toBe(true);
    expect(cache.get('k', null)?.recheck).toBe(true);
    cache.rechecked('k', user, '4');
    expect(cache.get('k', '4')?.recheck).toBe(false);
    cache.set('n', user, null);
    expect(cache.get('n', null)?.recheck).toBe(true);
  });
});
