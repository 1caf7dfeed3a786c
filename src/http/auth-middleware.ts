// Who is calling: a bearer token (machine clients, no CSRF needed) or a browser session (CSRF-protected).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthUser } from '../users/index.ts';
import type { TokenVerifier } from '../tokens/index.ts';
import type { CredentialEpoch } from '../auth/credential-epoch.ts';
import type { Logger } from '../logger.ts';
import { Forbidden, Unauthenticated } from '../errors.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- passport's user is our AuthUser
    interface User extends AuthUser {}
    interface Request {
      viaToken?: boolean;
    }
  }
}

export function bearerAuth(tokens: TokenVerifier): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return next();
    const user = await tokens.verify(header.slice(7).trim());
    if (!user) return next(new Unauthenticated('invalid or revoked token'));
    req.user = user;
    req.viaToken = true;
    next();
  };
}

/** Runs the session machinery only for requests that do not authenticate with a token. */
export function unlessToken(mw: RequestHandler): RequestHandler {
  return (req, res, next) => (req.viaToken ? next() : mw(req, res, next));
}

export function requireUser(req: Request): AuthUser {
  if (!req.user) throw new Unauthenticated();
  return req.user;
}

/** Refuses a request without a user (401) before anything else about it is looked at. */
export const signedIn: RequestHandler = (req, _res, next) => next(req.user ? undefined : new Unauthenticated());

export function allow(policy: (u: AuthUser | null | undefined) => boolean): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) return next(new Unauthenticated());
    if (!policy(req.user)) return next(new Forbidden(`role ${req.user.role} may not do this`));
    next();
  };
}

/**
 * After a committed change to what an account may do (disabled, role, a token revoked, second factor reset):
 * every API process stops trusting its cached credentials (this one at once even if Redis is away).
 */
export async function credentialsChanged(deps: {
  tokens: TokenVerifier;
  credentialEpoch: CredentialEpoch;
  log: Logger;
}): Promise<void> {
  deps.tokens.forget();
  if (!(await deps.credentialEpoch.bump())) {
    deps.log.warn(
      'credential epoch not bumped (Redis unavailable): other API processes may trust cached credentials for up to 5 s',
    );
  }
}
