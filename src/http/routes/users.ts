// User management for admins: create, list, change role, disable. Every change is audited.
import express, { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, credentialsChanged, requireUser } from '../auth-middleware.ts';
import { canManageUsers } from '../../auth/policies.ts';
import { createUser, listUsers, NewUser } from '../../users/index.ts';
import { updateUser, UserPatch } from '../../users/admin.ts';
import { resetSecondFactor } from '../../second-factor/index.ts';
import { Invalid, zodIssues } from '../../errors.ts';
import { parseUuidParam } from './reports.ts';

registry.registerPath({ method: 'get', path: '/api/users', tags: ['users'], summary: 'List users (admin)', security, responses: { 200: { description: 'Users' }, ...errorResponses(401, 403) } });
registry.registerPath({ method: 'post', path: '/api/users', tags: ['users'], summary: 'Create a user (admin)', security,
  request: { body: { content: { 'application/json': { schema: NewUser } } } }, responses: { 201: { description: 'Created' }, ...errorResponses(400, 401, 403, 409, 422) } });
registry.registerPath({ method: 'patch', path: '/api/users/{id}', tags: ['users'], summary: 'Change role, name or disable (admin); disabling or a new role ends the account\'s sessions, and its tokens and Basic credentials stop at once', security,
  request: { params: z.object({ id: z.string().uuid() }), body: { content: { 'application/json': { schema: UserPatch } } } },
  responses: { 200: { description: 'Updated' }, ...errorResponses(400, 401, 403, 404) } });

registry.registerPath({ method: 'delete', path: '/api/users/{id}/second-factor', tags: ['users'], summary: 'Reset a user\'s second factor (admin; audited): their sessions end and their next sign-in sets one up again', security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 200: { description: 'Reset', content: { 'application/json': { schema: z.object({ secondFactorRemoved: z.boolean(), recoveryCodesRemoved: z.number().int(), sessionsEnded: z.number().int() }) } } }, ...errorResponses(400, 401, 403, 404) } });

export function usersRouter(deps: AppDeps): Router {
  const r = Router();
  r.use(allow(canManageUsers));
  r.get('/', async (_req, res) => { res.json({ items: await listUsers(deps.db) }); });
  r.post('/', express.json({ limit: '16kb' }), async (req, res) => {
    const admin = requireUser(req);
    const user = await createUser(deps.db, req.body as NewUser);
    await deps.audit({ actorId: admin.id, actorName: admin.username, action: 'user_created', entityType: 'user', entityId: user.id, after: user });
    res.status(201).json({ user });
  });
  r.patch('/:id', express.json({ limit: '16kb' }), async (req, res) => {
    const admin = requireUser(req);
    const id = parseUuidParam(req.params.id);
    const patch = UserPatch.safeParse(req.body ?? {});
    if (!patch.success) throw new Invalid(zodIssues(patch.error), 422);
    const after = await updateUser(deps, admin, id, patch.data);
    await credentialsChanged(deps);
    res.json({ user: after });
  });
  r.delete('/:id/second-factor', async (req, res) => {
    const admin = requireUser(req);
    const result = await resetSecondFactor(deps, admin, parseUuidParam(req.params.id));
    await credentialsChanged(deps);
    res.json(result);
  });
  return r;
}
