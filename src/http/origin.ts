// Signing in (and asking for a token) from a browser must start on this app's own pages. SameSite cookies do not
// stop another site's auto-submitting form from signing the victim's browser in as the attacker (login CSRF), and
// there is no session yet to bind a CSRF token to; but a browser says where a request comes from. The rule:
//  - an Origin header must be this app's origin (scheme, host and port it was asked for) or one of ALLOWED_ORIGINS;
//    "null" (sandboxed frames, data: pages) is refused;
//  - without Origin, a Referer is held to the same rule;
//  - without either, Sec-Fetch-Site must not say cross-site or same-site;
//  - a request with none of these comes from a program, not a browser page, and is let through (scripts, ODK).
import type { Request, RequestHandler } from 'express';
import { Forbidden } from '../errors.ts';

function originOf(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The origin the browser says the request came from: a string, null for an opaque one, undefined when it says nothing. */
export function claimedOrigin(req: Request): string | null | undefined {
  const origin = req.get('origin');
  if (origin !== undefined) return originOf(origin);
  const referer = req.get('referer');
  if (referer) return originOf(referer);
  const site = req.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return null;
  return undefined;
}

/** This app's origin as the request reached it (Host, and X-Forwarded-Host/-Proto from a trusted proxy). */
export const ownOrigin = (req: Request) => originOf(`${req.protocol}://${req.host}`);

/** The origins sign-in may come from besides the one asked for: ALLOWED_ORIGINS and PUBLIC_URL's. */
export function signInOrigins(config: { ALLOWED_ORIGINS: readonly string[]; PUBLIC_URL?: string }): string[] {
  const publicOrigin = config.PUBLIC_URL ? originOf(config.PUBLIC_URL) : null;
  return publicOrigin ? [...config.ALLOWED_ORIGINS, publicOrigin] : [...config.ALLOWED_ORIGINS];
}

export function sameOriginOnly(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    const claimed = claimedOrigin(req);
    if (claimed === undefined || (claimed !== null && (claimed === ownOrigin(req) || allowed.has(claimed))))
      return next();
    next(
      new Forbidden(
        `cross-origin request refused: signing in must start on this app's own pages (origin ${claimed ?? 'null'} is not allowed)`,
      ),
    );
  };
}
