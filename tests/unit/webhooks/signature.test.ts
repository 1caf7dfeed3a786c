// The signature a receiver checks: HMAC-SHA256 over "<timestamp>.<body>", within the replay window either way.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  REPLAY_WINDOW_SECONDS,
  signWebhook,
  verifyWebhook,
} from '../../../src/webhooks/signature.ts';

const secret = newWebhookSecret(() => Buffer.alloc(32, 7));
const body = '{"id":"incident.verified:1-1","type":"incident.verified","data":{"incident":{"id":"x"}}}';
const at = 1_700_000_000;

describe('webhook signatures', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the whole secret', () => {
    expect(secret).toBe(`whsec_${Buffer.alloc(32, 7).toString('base64url')}`);
    const expected = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
    expect(signWebhook(secret, at, body)).toBe(`v1=${expected}`);
  });

  it('verifies within the replay window either way, and not beyond it', () => {
    const req = { body, timestamp: String(at), signature: signWebhook(secret, at, body) };
    expect(verifyWebhook(secret, req, at)).toBe(true);
    expect(verifyWebhook(secret, req, at + REPLAY_WINDOW_SECONDS)).toBe(true);
    expect(verifyWebhook(secret, req, at - REPLAY_WINDOW_SECONDS)).toBe(true);
    expect(verifyWebhook(secret, req, at + REPLAY_WINDOW_SECONDS + 1)).toBe(false);
    expect(verifyWebhook(secret, req, at + 30, 10)).toBe(false);
  });

  it('refuses a changed body, a moved timestamp, another secret, and missing or malformed headers', () => {
    const signature = signWebhook(secret, at, body);
    expect(verifyWebhook(secret, { body: body.replace('x', 'y'), timestamp: String(at), signature }, at)).toBe(false);
    expect(verifyWebhook(secret, { body, timestamp: String(at + 1), signature }, at)).toBe(false);
    expect(verifyWebhook(`${secret}x`, { body, timestamp: String(at), signature }, at)).toBe(false);
    expect(verifyWebhook(secret, { body, timestamp: undefined, signature }, at)).toBe(false);
    expect(verifyWebhook(secret, { body, timestamp: String(at), signature: undefined }, at)).toBe(false);
    expect(verifyWebhook(secret, { body, timestamp: `${at}.5`, signature }, at)).toBe(false);
    expect(verifyWebhook(secret, { body, timestamp: String(at), signature: 'v1=00' }, at)).toBe(false);
  });

  it('accepts a list of signatures of which one matches', () => {
    const signature = `v1=${'0'.repeat(64)}, ${signWebhook(secret, at, body)}`;
    expect(verifyWebhook(secret, { body, timestamp: String(at), signature }, at)).toBe(true);
  });
});
