// HTTP adapter for the sessions domain (src/sessions): a person's own browser sessions: list them, end one, end all
// others, or all ("sign out everywhere").
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { requireUser, signedIn } from '../auth-middleware.ts';
import { destroySession, SESSION_COOKIE } from '../session.ts';
import { validate } from '../validate.ts';
import { endSessions, listSessions } from '../../sessions/index.ts';

const SessionView = z
  .object({
    id: z.string(),
    current: z.boolean(),
    createdAt: z.string().datetime(),
    lastSeenAt: z.string().datetime(),
    ip: z.string().nullable(),
    userAgent: z.string(),
    browser: z.string().nullable(),
    os: z.string().nullable(),
    secondFactorPending: z.boolean(),
  })
  .meta({ id: 'Session' });
const Scope = z.object({ scope: z.enum(['others', 'all']).default('all') });
const SessionParams = z.object({ id: z.string().min(1).max(64) });

registry.registerPath({
  method: 'get',
  path: '/api/auth/sessions',
  tags: ['auth'],
  summary: 'My browser sessions',
  security,
  responses: {
    200: {
      description: 'Sessions, the current one marked',
      content: { 'application/json': { schema: z.object({ items: z.array(SessionView) }) } },
    },
    ...errorResponses(401),
  },
});
registry.registerPath({
  method: 'delete',
  path: '/api/auth/sessions',
  tags: ['auth'],
  summary: 'Sign out everywhere (scope=all) or everywhere else (scope=others)',
  security,
  request: { query: Scope },
  responses: {
    200: {
      description: 'How many sessions ended',
      content: { 'application/json': { schema: z.object({ ended: z.number().int() }) } },
    },
    ...errorResponses(400, 401),
  },
});
registry.registerPath({
  method: 'delete',
  path: '/api/auth/sessions/{id}',
  tags: ['auth'],
  summary: 'End one of my sessions',
  security,
  request: { params: SessionParams },
  responses: { 204: { description: 'Ended' }, ...errorResponses(401, 404) },
});

const EndAll = validate({ query: Scope });
const EndOne = validate({ params: SessionParams }, { resource: 'session' });

export function sessionsRouter(deps: AppDeps): Router {
  const r = Router();
  const current = (sid: string | undefined, viaToken: boolean | undefined) => (viaToken ? undefined : sid);

  r.get('/', signedIn, async (req, res) => {
    const user = requireUser(req);
    res.json({ items: await listSessions(deps.db, user.id, current(req.sessionID, req.viaToken), deps.clock.now()) });
  });

  r.delete('/', signedIn, EndAll, async (req, res) => {
    const user = requireUser(req);
    const { scope } = EndAll.input(req).query;
    const mine = current(req.sessionID, req.viaToken);
    const ended = await endSessions(
      deps,
      user,
      scope === 'others' && mine ? { all: true, exceptSid: mine } : { all: true },
    );
    if (scope === 'all' && mine) {
      await destroySession(req);
      res.clearCookie(SESSION_COOKIE);
    }
    res.json({ ended });
  });

  r.delete('/:id', signedIn, EndOne, async (req, res) => {
    await endSessions(deps, requireUser(req), { one: EndOne.input(req).params.id });
    res.status(204).end();
  });
  return r;
}
