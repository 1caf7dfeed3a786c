// HTTP adapter for the tokens domain (src/tokens): personal API tokens for machine clients, asked for with a
// password (and, for commission and admin accounts, a second-factor code), listed and revoked by their owner.
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, credentialsChanged, requireUser, signedIn } from '../auth-middleware.ts';
import { sameOriginOnly, signInOrigins } from '../origin.ts';
import { clientIp } from '../session.ts';
import { IdParams, validate } from '../validate.ts';
import { checked, passwordChecked, signInBody } from './auth.ts';
import { Forbidden, SecondFactorRequired, Unauthenticated } from '../../errors.ts';
import { Credentials } from '../../auth/credentials.ts';
import { canFileReport, needsSecondFactor } from '../../auth/policies.ts';
import { loadAgreement } from '../../agreements/index.ts';
import { odkSetup, type OdkSetupDeps } from '../../openrosa/setup.ts';
import { secondFactorStatus, verifySecondFactor } from '../../second-factor/index.ts';
import { createToken, listTokens, revokeToken } from '../../tokens/index.ts';

const TokenRequest = Credentials.extend({
  name: z.string().trim().min(1).max(100).optional(),
  code: z
    .string()
    .trim()
    .min(6)
    .max(40)
    .optional()
    .meta({ description: 'Commission and admin accounts: the code from the authenticator app, or a recovery code' }),
}).meta({ id: 'TokenRequest' });
const TokenExtras = TokenRequest.pick({ name: true, code: true });

registry.registerPath({
  method: 'post',
  path: '/api/auth/token',
  tags: ['auth'],
  summary: 'Create a personal API token (commission and admin: with their second-factor code)',
  request: { body: { content: { 'application/json': { schema: TokenRequest } } } },
  responses: {
    200: {
      description: 'The token, shown once',
      content: { 'application/json': { schema: z.object({ token: z.string(), id: z.string() }) } },
    },
    ...errorResponses(400, 401, 403, 429),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/auth/tokens',
  tags: ['auth'],
  summary: 'My tokens (never the secrets)',
  security,
  responses: { 200: { description: 'Tokens' }, ...errorResponses(401) },
});
registry.registerPath({
  method: 'delete',
  path: '/api/auth/tokens/{id}',
  tags: ['auth'],
  summary: 'Revoke a token',
  security,
  request: { params: IdParams },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 404) },
});

// The password is checked (counted, audited) before the rest of the body is looked at.
const Extras = validate({ body: TokenExtras }, { bodyStatus: 400 });
const Revoke = validate({ params: IdParams }, { resource: 'token' });

/** ODK Collect's setup as answered to an observer (for themselves) and to an admin (for an observer). */
export const OdkSetupView = z
  .object({
    tokenId: z.string().uuid(),
    serverUrl: z.string(),
    payload: z.string(),
    svg: z.string(),
    claimBy: z.string().nullable().meta({
      description: 'A code an admin made for an observer works only if first used by then; null for your own.',
    }),
  })
  .meta({ id: 'OdkSetup' });

registry.registerPath({
  method: 'post',
  path: '/api/auth/odk-setup',
  tags: ['auth'],
  summary:
    "ODK Collect setup for the signed-in observer: a new token, and Collect's settings (ODK Central's JSON, zlib + base64) as a QR code",
  security,
  responses: {
    201: {
      description: 'The settings, their QR code (SVG) and the new token id (revoke it like any token)',
      content: {
        'application/json': {
          schema: OdkSetupView,
        },
      },
    },
    ...errorResponses(401, 403),
  },
});

/** What ODK Collect's setup needs from the HTTP side (also for an admin's, in users.ts). */
export function odkSetupDeps(deps: AppDeps, req: Request): OdkSetupDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    // The configured public origin; the request's own only where none is configured (development, tests).
    origin: deps.config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`,
    title: loadAgreement(deps.config.AGREEMENT_ID).title.en,
    claimMinutes: deps.config.ODK_SETUP_CLAIM_MINUTES,
  };
}

/** Mounted at /api/auth, beside the sign-in routes. */
export function tokensRouter(deps: AppDeps): Router {
  const r = Router();
  const sameOrigin = sameOriginOnly(signInOrigins(deps.config));

  r.post('/token', sameOrigin, ...signInBody, passwordChecked(deps, 'token'), Extras, async (req, res) => {
    const user = checked(res);
    const { name, code } = Extras.input(req).body;
    if (!user) throw new Unauthenticated('wrong username or password');
    if (needsSecondFactor(user)) {
      if (!(await secondFactorStatus(deps.db, user.id))) {
        throw new Forbidden(
          'this account needs a second factor before it can have a token: sign in at /review/ to set one up',
        );
      }
      if (!code)
        throw new SecondFactorRequired(
          'verify',
          'second factor required: send the code from your authenticator app (or a recovery code) as "code"',
        );
      await verifySecondFactor({ ...deps, ...deps.secondFactor }, user, code, clientIp(req), 'token');
    }
    res.json(
      await createToken(deps.db, user.id, name ?? `token ${deps.clock.now().toISOString()}`, {
        username: user.username,
        clock: deps.clock,
      }),
    );
  });

  // ODK Collect's setup for the signed-in observer: a new token of its own (revocable like any), in a QR code.
  r.post('/odk-setup', allow(canFileReport), async (req, res) => {
    res.status(201).json(await odkSetup(odkSetupDeps(deps, req), requireUser(req)));
  });

  r.get('/tokens', signedIn, async (req, res) => {
    res.json({ items: await listTokens(deps.db, requireUser(req).id) });
  });

  r.delete('/tokens/:id', signedIn, Revoke, async (req, res) => {
    await revokeToken(deps, requireUser(req), Revoke.input(req).params.id);
    await credentialsChanged(deps);
    res.status(204).end();
  });

  return r;
}
