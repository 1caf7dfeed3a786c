// How a webhook is signed, and how a receiver checks it (README "Webhooks" shows the same check). The signature is
// HMAC-SHA256, keyed with the endpoint's secret, over `<timestamp>.<body>`: the timestamp (Unix seconds, sent in its
// own header) is signed with the body, so a captured request cannot be replayed later with a fresh timestamp, and a
// receiver refuses one whose timestamp is outside its replay window.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const HEADERS = {
  /** The event's id: the same for every try and every endpoint (receivers deduplicate on it). */
  id: 'x-webhook-id',
  event: 'x-webhook-event',
  delivery: 'x-webhook-delivery',
  timestamp: 'x-webhook-timestamp',
  signature: 'x-webhook-signature',
} as const;

/** How far a receiver should accept a timestamp from its own clock, either way (and what this module checks). */
export const REPLAY_WINDOW_SECONDS = 300;

const SCHEME = 'v1';

/** A new endpoint secret: 32 random bytes. The whole string, prefix included, is the HMAC key. */
export function newWebhookSecret(random: (n: number) => Buffer = randomBytes): string {
  return `whsec_${random(32).toString('base64url')}`;
}

/** The signature header's value: `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `${SCHEME}=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SignedRequest {
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * Whether a request was signed with `secret` within the replay window around `nowSeconds`. The body must be the
 * raw bytes received (as text), not a re-serialised object: the signature covers exactly what was sent.
 */
export function verifyWebhook(
  secret: string,
  req: SignedRequest,
  nowSeconds: number,
  windowSeconds = REPLAY_WINDOW_SECONDS,
): boolean {
  if (!req.timestamp || !/^\d{1,12}$/.test(req.timestamp) || !req.signature) return false;
  const timestamp = Number(req.timestamp);
  if (Math.abs(nowSeconds - timestamp) > windowSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, req.body));
  // Several signatures may be sent, comma-separated (e.g. a receiver's proxy adding its own): one must match.
  return req.signature.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
