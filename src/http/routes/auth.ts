// HTTP adapter for the auth domain (src/auth): sign-in and sign-out of browsers (session + CSRF), who is signed in.
// The second step of signing in is src/http/routes/second-factor.ts; personal API tokens are tokens.ts.
import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { registry, errorResponses, security } from '../openapi.ts';
import { SecondFactorRequired, Unauthenticated } from '../../errors.ts';
import { needsSecondFactor } from '../../auth/policies.ts';
import { secondFactorStatus } from '../../second-factor/index.ts';
import { endOwnSession } from '../../sessions/index.ts';
import { checkCredentials, Credentials, type LoginDoor } from '../../auth/credentials.ts';
import type { AuthUser } from '../../users/index.ts';
import { requireUser } from '../auth-middleware.ts';
import { sameOriginOnly, signInOrigins } from '../origin.ts';
import { clientIp, destroySession, establishSession, startPendingSession } from '../session.ts';

export const UserView = z
  .object({
    id: z.string().uuid(),
    username: z.string(),
    role: z.enum(['observer', 'commission', 'admin']),
    displayName: z.string().nullable(),
  })
  .meta({ id: 'User' });

registry.registerPath({
  method: 'post',
  path: '/api/auth/login',
  tags: ['auth'],
  summary: 'Log in (browser session)',
  request: { body: { content: { 'application/json': { schema: Credentials } } } },
  responses: {
    200: {
      description:
        'Signed in ({user}); for commission and admin accounts, the password step only ({secondFactor: verify|enroll}): continue at /api/auth/second-factor',
      content: {
        'application/json': {
          schema: z.union([z.object({ user: UserView }), z.object({ secondFactor: z.enum(['verify', 'enroll']) })]),
        },
      },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/auth/logout',
  tags: ['auth'],
  summary: 'Log out',
  security,
  responses: { 204: { description: 'Logged out' } },
});
registry.registerPath({
  method: 'get',
  path: '/api/auth/me',
  tags: ['auth'],
  summary: 'The logged-in user (401 with code second_factor_required and its stage half-way through signing in)',
  security,
  responses: {
    200: {
      description: 'User',
      content: {
        'application/json': {
          schema: z.object({
            user: UserView,
            secondFactor: z.object({ enrolledAt: z.string(), recoveryCodesLeft: z.number().int() }).nullable(),
          }),
        },
      },
    },
    ...errorResponses(401),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/auth/csrf',
  tags: ['auth'],
  summary:
    'CSRF token for session-authenticated writes (send as x-csrf-token); null for bearer requests, which need none',
  responses: {
    200: {
      description: 'Token',
      content: { 'application/json': { schema: z.object({ token: z.string().nullable() }) } },
    },
  },
});

/** Form or JSON bodies of the sign-in requests. */
export const signInBody = [express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' })];

/**
 * The password check of a sign-in or token request, before anything else about the request: the attempt is counted,
 * a malformed pair refused (400) and audited (checkCredentials). The user, or null for a wrong pair, is `checked(res)`.
 */
export function passwordChecked(deps: AppDeps, door: LoginDoor): RequestHandler {
  return async (req, res, next) => {
    const b = (req.body ?? {}) as { username?: unknown; password?: unknown };
    res.locals.checkedUser = await checkCredentials(
      deps,
      { username: b.username, password: b.password },
      clientIp(req),
      door,
    );
    next();
  };
}
export const checked = (res: { locals: Record<string, unknown> }) => res.locals.checkedUser as AuthUser | null;

export function authRouter(deps: AppDeps): Router {
  const r = Router();
  // Requests that start a session or hand out a token: from a browser, only from this app's own pages.
  const sameOrigin = sameOriginOnly(signInOrigins(deps.config));

  r.post('/login', sameOrigin, ...signInBody, passwordChecked(deps, 'web'), async (req, res) => {
    const user = checked(res);
    if (!user) throw new Unauthenticated('wrong username or password'); // audited by checkCredentials
    if (needsSecondFactor(user)) {
      const stage = (await secondFactorStatus(deps.db, user.id)) ? 'verify' : 'enroll';
      await startPendingSession(req, deps.db, deps.clock, user, stage);
      res.json({ secondFactor: stage });
      return;
    }
    await establishSession(req, deps.db, deps.clock, user, {
      actorId: user.id,
      actorName: user.username,
      action: 'login',
      entityType: 'user',
      entityId: user.id,
      after: { ip: clientIp(req) },
    });
    res.json({ user });
  });

  r.post('/logout', async (req: Request, res) => {
    // A bearer token has no session to end (revoke the token instead); answer as for a finished logout.
    if (req.viaToken) {
      res.status(204).end();
      return;
    }
    // The session row goes with the logout's audit row; a sign-in waiting for its second factor just ends.
    if (req.user && req.sessionID) await endOwnSession(deps, req.user, req.sessionID);
    await destroySession(req);
    res.clearCookie('cf.sid').status(204).end();
  });

  r.get('/me', async (req, res) => {
    const pending = req.session?.pending;
    if (!req.user && pending && !req.viaToken) throw new SecondFactorRequired(pending.stage);
    const user = requireUser(req);
    res.json({ user, secondFactor: await secondFactorStatus(deps.db, user.id) });
  });

  r.get('/csrf', (req, res) => {
    if (req.viaToken) {
      res.json({ token: null });
      return;
    } // bearer writes need no CSRF token
    // Touch the session so its id (to which the token is bound) is stable across requests.
    if (req.session) req.session.csrfIssuedAt = Date.now();
    res.json({ token: deps.csrf.generateCsrfToken(req, res, { overwrite: false }) });
  });

  return r;
}
