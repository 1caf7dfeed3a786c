// A person's own browser sessions: list them, end one, end all others, or all ("sign out everywhere").
import { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { requireUser } from '../auth-middleware.ts';
import { destroySession, SESSION_COOKIE } from '../session.ts';
import { endSessions, listSessions } from '../../sessions/index.ts';
import { Invalid, zodIssues } from '../../errors.ts';

const SessionView = z.object({
  id: z.string(), current: z.boolean(), createdAt: z.string().datetime(), lastSeenAt: z.string().datetime(),
  ip: z.string().nullable(), userAgent: z.string(), browser: z.string().nullable(), os: z.string().nullable(),
  secondFactorPending: z.boolean(),
}).openapi('Session');
const Scope = z.object({ scope: z.enum(['others', 'all']).default('all') });

registry.registerPath({ method: 'get', path: '/api/auth/sessions', tags: ['auth'], summary: 'My browser sessions', security,
  responses: { 200: { description: 'Sessions, the current one marked', content: { 'application/json': { schema: z.object({ items: z.array(SessionView) }) } } }, ...errorResponses(401) } });
registry.registerPath({ method: 'delete', path: '/api/auth/sessions', tags: ['auth'], summary: 'Sign out everywhere (scope=all) or everywhere else (scope=others)', security,
  request: { query: Scope }, responses: { 200: { description: 'How many sessions ended', content: { 'application/json': { schema: z.object({ ended: z.number().int() }) } } }, ...errorResponses(400, 401) } });
registry.registerPath({ method: 'delete', path: '/api/auth/sessions/{id}', tags: ['auth'], summary: 'End one of my sessions', security,
  request: { params: z.object({ id: z.string() }) }, responses: { 204: { description: 'Ended' }, ...errorResponses(401, 404) } });

export function sessionsRouter(deps: AppDeps): Router {
  const r = Router();
  const current = (sid: string | undefined, viaToken: boolean | undefined) => (viaToken ? undefined : sid);

  r.get('/', async (req, res) => {
    const user = requireUser(req);
    res.json({ items: await listSessions(deps.db, user.id, current(req.sessionID, req.viaToken), deps.clock.now()) });
  });

  r.delete('/', async (req, res) => {
    const user = requireUser(req);
    const q = Scope.safeParse(req.query);
    if (!q.success) throw new Invalid(zodIssues(q.error), 400);
    const mine = current(req.sessionID, req.viaToken);
    const ended = await endSessions(deps, user, q.data.scope === 'others' && mine ? { all: true, exceptSid: mine } : { all: true });
    if (q.data.scope === 'all' && mine) {
      await destroySession(req);
      res.clearCookie(SESSION_COOKIE);
    }
    res.json({ ended });
  });

  r.delete('/:id', async (req, res) => {
    const user = requireUser(req);
    const id = z.string().min(1).max(64).safeParse(req.params.id);
    if (!id.success) throw new Invalid([{ field: 'id', reason: 'not a session id' }], 400);
    await endSessions(deps, user, { one: id.data });
    res.status(204).end();
  });
  return r;
}
