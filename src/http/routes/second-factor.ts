// HTTP adapter for the second-factor domain (src/second-factor): the second step of signing in for commission and
// admin accounts, on a session that holds only "password checked" (src/http/session.ts startPendingSession): give the
// code (or a recovery code), or, not yet enrolled, set up an authenticator first. Each success starts a full session
// under a new id.
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry } from '../openapi.ts';
import { sameOriginOnly, signInOrigins } from '../origin.ts';
import { clientIp, establishSession, PENDING_MS, saveSession, type PendingSignIn } from '../session.ts';
import { UserView } from './auth.ts';
import { validate } from '../validate.ts';
import { findUserById, type AuthUser } from '../../users/index.ts';
import { confirmEnrollment, enrollmentOffer, verifySecondFactor } from '../../second-factor/index.ts';
import { Conflict, Unauthenticated } from '../../errors.ts';

const CodeInput = z.object({ code: z.string().trim().min(6).max(40) }).meta({ id: 'SecondFactorCode' });
const Stage = z.object({ stage: z.enum(['verify', 'enroll']), username: z.string() });
const Offer = z
  .object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() })
  .meta({ id: 'SecondFactorOffer' });
const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

registry.registerPath({
  method: 'get',
  path: '/api/auth/second-factor',
  tags: ['auth'],
  summary: 'Where a sign-in waiting for its second factor stands',
  responses: {
    200: { description: 'verify: give a code; enroll: set up an authenticator first', content: json(Stage) },
    ...errorResponses(401),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/auth/second-factor/verify',
  tags: ['auth'],
  summary: 'Second step of signing in: a TOTP code or a recovery code',
  request: { body: { content: json(CodeInput) } },
  responses: {
    200: { description: 'Signed in (new session id)', content: json(z.object({ user: UserView })) },
    ...errorResponses(400, 401, 403, 429),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/auth/second-factor/enrollment',
  tags: ['auth'],
  summary: 'A new authenticator secret to enroll (QR code as SVG); asking again replaces it',
  responses: {
    200: { description: 'The secret, shown during enrollment only', content: json(Offer) },
    ...errorResponses(401, 403),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/auth/second-factor/enrollment/confirm',
  tags: ['auth'],
  summary: 'Confirm enrollment with a code from the authenticator',
  request: { body: { content: json(CodeInput) } },
  responses: {
    200: {
      description: 'Enrolled and signed in; the recovery codes are shown this once',
      content: json(z.object({ user: UserView, recoveryCodes: z.array(z.string()) })),
    },
    ...errorResponses(400, 401, 403, 409, 422, 429),
  },
});

const Code = validate({ body: CodeInput }, { bodyStatus: 400 });

export function secondFactorRouter(deps: AppDeps): Router {
  const r = Router();
  const sameOrigin = sameOriginOnly(signInOrigins(deps.config));
  const body = express.json({ limit: '4kb' });
  const codeDeps = { ...deps, ...deps.secondFactor };

  /** The account waiting at `stage`, still active; 401 when there is no such sign-in on this session. */
  async function pending(
    req: Request,
    stage: PendingSignIn['stage'],
  ): Promise<{ user: AuthUser; state: PendingSignIn }> {
    const state = req.session?.pending;
    if (!state || req.viaToken || deps.clock.now().getTime() - state.since > PENDING_MS) {
      throw new Unauthenticated('sign in with your username and password first');
    }
    if (state.stage !== stage)
      throw new Conflict(
        stage === 'verify' ? 'set up the second factor first' : 'a second factor is already set up: give its code',
      );
    const user = await findUserById(deps.db, state.userId);
    if (!user) throw new Unauthenticated('account disabled');
    return { user, state };
  }

  r.get('/', async (req, res) => {
    const state = req.session?.pending;
    if (!state) throw new Unauthenticated('no sign-in is waiting for a second factor');
    const { user } = await pending(req, state.stage);
    res.json({ stage: state.stage, username: user.username });
  });

  /** The waiting sign-in is found (401/409) before the code is looked at. */
  const waiting =
    (stage: PendingSignIn['stage']): RequestHandler =>
    async (req, res, next) => {
      res.locals.pending = await pending(req, stage);
      next();
    };
  const waitingOf = (res: Response) => res.locals.pending as { user: AuthUser; state: PendingSignIn };

  r.post('/verify', sameOrigin, body, waiting('verify'), Code, async (req, res) => {
    const { user } = waitingOf(res);
    const { code } = Code.input(req).body;
    const ip = clientIp(req);
    // The login's audit row commits with the code's use (verifySecondFactor's transaction).
    await verifySecondFactor(codeDeps, user, code, ip, 'web', {
      actorId: user.id,
      actorName: user.username,
      action: 'login',
      entityType: 'user',
      entityId: user.id,
      after: { ip, secondFactor: true },
    });
    await establishSession(req, deps.db, deps.clock, user);
    res.json({ user });
  });

  r.post('/enrollment', sameOrigin, async (req, res) => {
    const { state, user } = await pending(req, 'enroll');
    const offer = await enrollmentOffer(user);
    state.enrollSecret = deps.secondFactor.box.seal(offer.secret);
    await saveSession(req);
    res.json(offer);
  });

  r.post('/enrollment/confirm', sameOrigin, body, waiting('enroll'), Code, async (req, res) => {
    const { state, user } = waitingOf(res);
    const { code } = Code.input(req).body;
    if (!state.enrollSecret) throw new Conflict('ask for a secret first (POST /api/auth/second-factor/enrollment)');
    const ip = clientIp(req);
    const recoveryCodes = await confirmEnrollment(
      codeDeps,
      user,
      deps.secondFactor.box.open(state.enrollSecret),
      code,
      ip,
    );
    await establishSession(req, deps.db, deps.clock, user, {
      actorId: user.id,
      actorName: user.username,
      action: 'login',
      entityType: 'user',
      entityId: user.id,
      after: { ip, secondFactor: true },
    });
    res.json({ user, recoveryCodes });
  });
  return r;
}
