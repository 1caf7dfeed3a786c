// Browser sessions live in PostgreSQL (not in process memory), so any API process can serve any user
// and a restart logs nobody out. Passport keeps only the user id in the session; the row also names its owner
// (src/sessions), and a session signs in only while it does.
import connectPgSimple from 'connect-pg-simple';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import pg from 'pg';
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { AuthUser } from '../users/index.ts';
import { recordSession, sessionUser } from '../sessions/index.ts';
import type { AuditEntry } from '../audit/index.ts';
import type { Config } from '../config.ts';
import { unlessToken } from './auth-middleware.ts';
import { Forbidden } from '../errors.ts';

export type AppPassport = InstanceType<typeof Passport>;

export const SESSION_COOKIE = 'cf.sid';
const SESSION_MS = 12 * 3600_000;
/** How long a session may wait between the password and the second factor. */
export const PENDING_MS = 10 * 60_000;

/** Past the password of a commission or admin account, before the second factor: nothing else is allowed. */
export interface PendingSignIn {
  userId: string;
  stage: 'verify' | 'enroll';
  since: number;
  /** During enrollment: the offered secret, sealed, until a code confirms it. */
  enrollSecret?: string;
}

declare module 'express-session' {
  interface SessionData {
    pending?: PendingSignIn;
    csrfIssuedAt?: number;
  }
}

export interface SessionMachinery {
  handlers: RequestHandler[];
  pool: pg.Pool;
  csrf: ReturnType<typeof doubleCsrf>;
  /** Refuses a state-changing request on a signed-in session without its CSRF token (403). */
  csrfProtection: RequestHandler;
  /** This app's own Passport: several apps in one process (tests) must not share strategies or users. */
  passport: AppPassport;
}

export function sessionMiddleware(config: Config, db: Db, clock: Clock): SessionMachinery {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  pool.on('error', () => undefined); // a dropped idle connection is replaced on next use
  const PgStore = connectPgSimple(session);
  const store = new PgStore({ pool, tableName: 'session', createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.SESSION_SECRET,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: SESSION_MS },
  });

  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, (user as Express.User).id));
  passport.deserializeUser<string, Request>((req, id, done) => {
    sessionUser(db, req.sessionID, id, clock.now()).then((u) => done(null, u ?? false), done);
  });

  const csrf = doubleCsrf({
    getSecret: () => config.SESSION_SECRET,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: config.cookieSecure ? '__Host-cf.csrf' : 'cf.csrf',
    cookieOptions: { sameSite: 'lax', secure: config.cookieSecure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) =>
      (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as { _csrf?: string } | undefined)?._csrf,
    // Decided by what the request is, never by its path (express matches paths case-insensitively and a prefix
    // test is walked around by spelling): CSRF forges a signed-in browser's requests, so every state-changing
    // request on such a session needs the token (csrf-csrf lets GET, HEAD and OPTIONS through). Without a
    // session user there is nothing to forge (the route answers 401); sign-in is guarded by origin instead.
    skipCsrfProtection: (req) => !sessionAuthenticated(req),
  });
  const csrfProtection: RequestHandler = (req, res, next) =>
    csrf.doubleCsrfProtection(req, res, (err?: unknown) => {
      if (err === csrf.invalidCsrfTokenError || (err as { code?: string } | undefined)?.code === 'EBADCSRFTOKEN') {
        return next(
          new Forbidden('missing or invalid CSRF token: get one from GET /api/auth/csrf and send it as x-csrf-token'),
        );
      }
      next(err);
    });

  const handlers = [
    unlessToken(sessions),
    unlessToken(cookieParser()),
    passport.initialize(),
    unlessToken(passport.session()),
  ];
  return { handlers, pool, csrf, csrfProtection, passport };
}

/** A browser session (not a bearer token) that carries a signed-in user, or one half-way through signing in. */
export function sessionAuthenticated(req: Request): boolean {
  return req.viaToken !== true && (Boolean(req.user) || Boolean(req.session?.pending));
}

export const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * Signs `user` in on this browser: a new session id (passport regenerates and saves it), recorded as theirs; with
 * `audit`, the login's audit row commits with the record (the session signs in from then on).
 */
export async function establishSession(
  req: Request,
  db: Db,
  clock: Clock,
  user: AuthUser,
  audit?: AuditEntry,
): Promise<void> {
  await callback((done) => req.login(user, done));
  await recordSession(
    db,
    req.sessionID,
    user.id,
    { ip: clientIp(req), userAgent: req.get('user-agent') },
    clock.now(),
    audit && { entry: audit, clock },
  );
}

const callback = (run: (done: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => run((err) => (err ? reject(err) : resolve())));

/**
 * The password was right, the second factor is still to come: a new session id holding only that (no user, so every
 * other route answers 401), short-lived, recorded as the user's so it is listed and ended with the others.
 */
export async function startPendingSession(
  req: Request,
  db: Db,
  clock: Clock,
  user: AuthUser,
  stage: PendingSignIn['stage'],
): Promise<void> {
  await callback((done) => req.session.regenerate(done));
  req.session.pending = { userId: user.id, stage, since: clock.now().getTime() };
  req.session.cookie.maxAge = PENDING_MS;
  await callback((done) => req.session.save(done));
  await recordSession(db, req.sessionID, user.id, { ip: clientIp(req), userAgent: req.get('user-agent') }, clock.now());
}

export const saveSession = (req: Request) => callback((done) => req.session.save(done));

/** Ends this browser's session: its row is deleted (not kept without a user, as passport's logout would). */
export async function destroySession(req: Request): Promise<void> {
  if (!req.session) return;
  await callback((done) => req.session.destroy(done));
  req.user = undefined;
}
