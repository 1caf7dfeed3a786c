// Login/logout for browsers (session + CSRF), personal API tokens for machine clients.
import express, { Router, type Request } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { registry, errorResponses, security } from '../openapi.ts';
import { Forbidden, Invalid, SecondFactorRequired, Unauthenticated, zodIssues } from '../../errors.ts';
import { needsSecondFactor } from '../../auth/policies.ts';
import { secondFactorStatus, verifySecondFactor } from '../../second-factor/index.ts';
import { createToken, listTokens, revokeToken } from '../../tokens/index.ts';
import { checkCredentials, Credentials } from '../../auth/credentials.ts';
import { credentialsChanged, requireUser } from '../auth-middleware.ts';
import { sameOriginOnly, signInOrigins } from '../origin.ts';
import { clientIp, destroySession, establishSession, startPendingSession } from '../session.ts';

const TokenRequest = Credentials.extend({
  name: z.string().trim().min(1).max(100).optional(),
  code: z.string().trim().min(6).max(40).optional().openapi({ description: 'Commission and admin accounts: the code from the authenticator app, or a recovery code' }),
}).openapi('TokenRequest');
const TokenExtras = TokenRequest.pick({ name: true, code: true });
export const UserView = z.object({ id: z.string().uuid(), username: z.string(), role: z.enum(['observer', 'commission', 'admin']), displayName: z.string().nullable() }).openapi('User');

registry.registerPath({ method: 'post', path: '/api/auth/login', tags: ['auth'], summary: 'Log in (browser session)',
  request: { body: { content: { 'application/json': { schema: Credentials } } } },
  responses: { 200: { description: 'Signed in ({user}); for commission and admin accounts, the password step only ({secondFactor: verify|enroll}): continue at /api/auth/second-factor', content: { 'application/json': { schema: z.union([z.object({ user: UserView }), z.object({ secondFactor: z.enum(['verify', 'enroll']) })]) } } }, ...errorResponses(400, 401, 403, 429) } });
registry.registerPath({ method: 'post', path: '/api/auth/logout', tags: ['auth'], summary: 'Log out', security, responses: { 204: { description: 'Logged out' } } });
registry.registerPath({ method: 'get', path: '/api/auth/me', tags: ['auth'], summary: 'The logged-in user (401 with code second_factor_required and its stage half-way through signing in)', security,
  responses: { 200: { description: 'User', content: { 'application/json': { schema: z.object({ user: UserView, secondFactor: z.object({ enrolledAt: z.string(), recoveryCodesLeft: z.number().int() }).nullable() }) } } }, ...errorResponses(401) } });
registry.registerPath({ method: 'get', path: '/api/auth/csrf', tags: ['auth'], summary: 'CSRF token for session-authenticated writes (send as x-csrf-token); null for bearer requests, which need none',
  responses: { 200: { description: 'Token', content: { 'application/json': { schema: z.object({ token: z.string().nullable() }) } } } } });
registry.registerPath({ method: 'post', path: '/api/auth/token', tags: ['auth'], summary: 'Create a personal API token (commission and admin: with their second-factor code)',
  request: { body: { content: { 'application/json': { schema: TokenRequest } } } },
  responses: { 200: { description: 'The token, shown once', content: { 'application/json': { schema: z.object({ token: z.string(), id: z.string() }) } } }, ...errorResponses(400, 401, 403, 429) } });
registry.registerPath({ method: 'get', path: '/api/auth/tokens', tags: ['auth'], summary: 'My tokens (never the secrets)', security, responses: { 200: { description: 'Tokens' }, ...errorResponses(401) } });
registry.registerPath({ method: 'delete', path: '/api/auth/tokens/{id}', tags: ['auth'], summary: 'Revoke a token', security,
  request: { params: z.object({ id: z.string().uuid() }) }, responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) } });

export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new Invalid(zodIssues(r.error), 400);
  return r.data;
}

/** The pair as sent, checked (and refused with the reason, audited) by checkCredentials. */
const credentialsOf = (req: Request) => {
  const b = (req.body ?? {}) as { username?: unknown; password?: unknown };
  return { username: b.username, password: b.password };
};

export function authRouter(deps: AppDeps): Router {
  const r = Router();
  const body = [express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' })];
  // Requests that start a session or hand out a token: from a browser, only from this app's own pages.
  const sameOrigin = sameOriginOnly(signInOrigins(deps.config));


  r.post('/login', sameOrigin, ...body, async (req, res) => {
    const user = await checkCredentials(deps, credentialsOf(req), clientIp(req), 'web');
    if (!user) throw new Unauthenticated('wrong username or password'); // audited by checkCredentials
    if (needsSecondFactor(user)) {
      const stage = (await secondFactorStatus(deps.db, user.id)) ? 'verify' : 'enroll';
      await startPendingSession(req, deps.db, deps.clock, user, stage);
      res.json({ secondFactor: stage });
      return;
    }
    await establishSession(req, deps.db, deps.clock, user);
    await deps.audit({ actorId: user.id, actorName: user.username, action: 'login', entityType: 'user', entityId: user.id, after: { ip: clientIp(req) } });
    res.json({ user });
  });

  r.post('/logout', async (req, res) => {
    // A bearer token has no session to end (revoke the token instead); answer as for a finished logout.
    if (req.viaToken) { res.status(204).end(); return; }
    const user = req.user;
    // (also ends a sign-in waiting for its second factor)
    await destroySession(req);
    if (user) await deps.audit({ actorId: user.id, actorName: user.username, action: 'logout', entityType: 'user', entityId: user.id });
    res.clearCookie('cf.sid').status(204).end();
  });

  r.get('/me', async (req, res) => {
    const pending = req.session?.pending;
    if (!req.user && pending && !req.viaToken) throw new SecondFactorRequired(pending.stage);
    const user = requireUser(req);
    res.json({ user, secondFactor: await secondFactorStatus(deps.db, user.id) });
  });

  r.get('/csrf', (req, res) => {
    if (req.viaToken) { res.json({ token: null }); return; } // bearer writes need no CSRF token
    // Touch the session so its id (to which the token is bound) is stable across requests.
    if (req.session) req.session.csrfIssuedAt = Date.now();
    res.json({ token: deps.csrf.generateCsrfToken(req, res, { overwrite: false }) });
  });

  r.post('/token', sameOrigin, ...body, async (req, res) => {
    const user = await checkCredentials(deps, credentialsOf(req), clientIp(req), 'token');
    const { name, code } = parse(TokenExtras, req.body);
    if (!user) throw new Unauthenticated('wrong username or password');
    if (needsSecondFactor(user)) {
      if (!(await secondFactorStatus(deps.db, user.id))) {
        throw new Forbidden('this account needs a second factor before it can have a token: sign in at /review/ to set one up');
      }
      if (!code) throw new SecondFactorRequired('verify', 'second factor required: send the code from your authenticator app (or a recovery code) as "code"');
      await verifySecondFactor({ ...deps, ...deps.secondFactor }, user, code, clientIp(req), 'token');
    }
    const token = await createToken(deps.db, user.id, name ?? `token ${deps.clock.now().toISOString()}`);
    await deps.audit({ actorId: user.id, actorName: user.username, action: 'token_created', entityType: 'api_token', entityId: token.id });
    res.json(token);
  });

  r.get('/tokens', async (req, res) => {
    res.json({ items: await listTokens(deps.db, requireUser(req).id) });
  });

  r.delete('/tokens/:id', async (req, res) => {
    const user = requireUser(req);
    const id = z.string().uuid().safeParse(req.params.id);
    if (!id.success) throw new Invalid([{ field: 'id', reason: 'not a UUID' }], 400);
    await revokeToken(deps.db, user.id, id.data, deps.clock.now());
    await credentialsChanged(deps);
    await deps.audit({ actorId: user.id, actorName: user.username, action: 'token_revoked', entityType: 'api_token', entityId: id.data });
    res.status(204).end();
  });

  return r;
}

