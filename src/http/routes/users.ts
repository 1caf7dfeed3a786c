// HTTP adapter for the users domain (src/users): user management for admins (create, list, change role, disable,
// reset a second factor or a password, an observer's ODK Collect setup code). Every change is audited in the transaction that makes it.
import express, { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, credentialsChanged, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canManageUsers } from '../../auth/policies.ts';
import { createUser, listUsers, NewUser } from '../../users/index.ts';
import { PasswordReset, resetPassword, updateUser, UserPatch } from '../../users/admin.ts';
import { resetSecondFactor } from '../../second-factor/index.ts';
import { listTokensOfUser, revokeToken } from '../../tokens/index.ts';
import { odkSetup } from '../../openrosa/setup.ts';
import { odkSetupDeps, OdkSetupView } from './tokens.ts';

const TokenParams = IdParams.extend({ tokenId: z.string().uuid() });

registry.registerPath({
  method: 'get',
  path: '/api/users',
  tags: ['users'],
  summary: 'List users (admin)',
  security,
  responses: { 200: { description: 'Users' }, ...errorResponses(401, 403) },
});
registry.registerPath({
  method: 'post',
  path: '/api/users',
  tags: ['users'],
  summary: 'Create a user (admin)',
  security,
  request: { body: { content: { 'application/json': { schema: NewUser } } } },
  responses: { 201: { description: 'Created' }, ...errorResponses(400, 401, 403, 409, 422) },
});
registry.registerPath({
  method: 'patch',
  path: '/api/users/{id}',
  tags: ['users'],
  summary:
    "Change role, name, phone, the notices' email address, email choice and language, or disable (admin); disabling or a new role ends the account's sessions, and its tokens and Basic credentials stop at once",
  security,
  request: { params: IdParams, body: { content: { 'application/json': { schema: UserPatch } } } },
  responses: { 200: { description: 'Updated' }, ...errorResponses(400, 401, 403, 404) },
});

registry.registerPath({
  method: 'delete',
  path: '/api/users/{id}/second-factor',
  tags: ['users'],
  summary: "Reset a user's second factor (admin; audited): their sessions end and their next sign-in sets one up again",
  security,
  request: { params: IdParams },
  responses: {
    200: {
      description: 'Reset',
      content: {
        'application/json': {
          schema: z.object({
            secondFactorRemoved: z.boolean(),
            recoveryCodesRemoved: z.number().int(),
            sessionsEnded: z.number().int(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

registry.registerPath({
  method: 'get',
  path: '/api/users/{id}/tokens',
  tags: ['users'],
  summary: "A user's API tokens (admin; never the secrets)",
  security,
  request: { params: IdParams },
  responses: { 200: { description: 'Tokens, revoked ones included' }, ...errorResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'delete',
  path: '/api/users/{id}/tokens/{tokenId}',
  tags: ['users'],
  summary: "Revoke a user's API token (admin; audited): it stops at once in every API process",
  security,
  request: { params: TokenParams },
  responses: { 204: { description: 'Revoked' }, ...errorResponses(401, 403, 404) },
});

registry.registerPath({
  method: 'post',
  path: '/api/users/{id}/odk-setup',
  tags: ['users'],
  summary:
    "ODK Collect setup for an observer, made by an admin (audited as the admin's, naming the observer): a new token " +
    'of the observer in a QR code, good only if scanned within ODK_SETUP_CLAIM_MINUTES. 409 for a disabled account ' +
    '(reason account_disabled) or one that is not an observer (reason not_an_observer).',
  security,
  request: { params: IdParams },
  responses: {
    201: {
      description: 'The settings and their QR code, shown once',
      content: { 'application/json': { schema: OdkSetupView } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});

registry.registerPath({
  method: 'post',
  path: '/api/users/{id}/password',
  tags: ['users'],
  summary:
    "A new password for an account that lost its own (audited as password_reset, without the password): the admin's, " +
    "or one the server makes, given back once. The account's browser sessions end; its API tokens stay.",
  security,
  request: { params: IdParams, body: { content: { 'application/json': { schema: PasswordReset } } } },
  responses: {
    200: {
      description: 'The account and its new password, shown once',
      content: {
        'application/json': {
          schema: z.object({
            user: z.object({ id: z.string().uuid(), username: z.string() }),
            password: z.string(),
            sessionsEnded: z.number().int(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

const Create = validate({ body: NewUser });
const Tokens = validate({ params: IdParams }, { resource: 'user' });
const OdkSetup = validate({ params: IdParams }, { resource: 'user' });
const Token = validate({ params: TokenParams }, { resource: 'token' });
const Patch = validate({ params: IdParams, body: UserPatch });
const One = validate({ params: IdParams });
const Password = validate({ params: IdParams, body: PasswordReset }, { resource: 'user' });

export function usersRouter(deps: AppDeps): Router {
  const r = Router();
  const json = express.json({ limit: '16kb' });
  r.use(allow(canManageUsers));
  r.get('/', async (_req, res) => {
    res.json({ items: await listUsers(deps.db) });
  });
  r.post('/', json, Create, async (req, res) => {
    const user = await createUser(deps.db, Create.input(req).body, { actor: requireUser(req), clock: deps.clock });
    res.status(201).json({ user });
  });
  r.patch('/:id', json, Patch, async (req, res) => {
    const { params, body } = Patch.input(req);
    const after = await updateUser(deps, requireUser(req), params.id, body);
    await credentialsChanged(deps);
    res.json({ user: after });
  });
  r.get('/:id/tokens', Tokens, async (req, res) => {
    res.json({ items: await listTokensOfUser(deps.db, Tokens.input(req).params.id) });
  });
  r.delete('/:id/tokens/:tokenId', Token, async (req, res) => {
    const { id, tokenId } = Token.input(req).params;
    await revokeToken(deps, requireUser(req), tokenId, id);
    await credentialsChanged(deps);
    res.status(204).end();
  });
  // A new observer without a laptop: the admin shows them the QR code to scan.
  r.post('/:id/odk-setup', OdkSetup, async (req, res) => {
    res.status(201).json(await odkSetup(odkSetupDeps(deps, req), requireUser(req), OdkSetup.input(req).params.id));
  });
  r.post('/:id/password', json, Password, async (req, res) => {
    const { params, body } = Password.input(req);
    const done = await resetPassword(deps, requireUser(req), params.id, body);
    // ODK Basic pairs cached with the old password stop working everywhere.
    await credentialsChanged(deps);
    res.set('Cache-Control', 'no-store').json(done);
  });
  r.delete('/:id/second-factor', One, async (req, res) => {
    const result = await resetSecondFactor(deps, requireUser(req), One.input(req).params.id);
    await credentialsChanged(deps);
    res.json(result);
  });
  return r;
}
