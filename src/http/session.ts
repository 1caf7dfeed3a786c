// Browser sessions live in PostgreSQL (not in process memory), so any API process can serve any user
// and a restart logs nobody out. Passport keeps only the user id in the session; the row also names its owner
// (src/auth/sessions.ts), and a session signs in only while it does.
import connectPgSimple from 'connect-pg-simple';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import pg from 'pg';
import type { Db } from '../db/client.ts';
import type { Clock } from '../clock.ts';
import type { AuthUser } from '../auth/users.ts';
import { recordSession, sessionUser } from '../auth/sessions.ts';
import type { Config } from '../config.ts';
import { unlessToken } from './auth-middleware.ts';
import { Forbidden } from '../errors.ts';

export type AppPassport = InstanceType<typeof Passport>;

export const SESSION_COOKIE = 'cf.sid';
const SESSION_MS = 12 * 3600_000;

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
    getCsrfTokenFromRequest: (req) => (req.headers['x-csrf-token'] as string | undefined) ?? (req.body as { _csrf?: string } | undefined)?._csrf,
    // Decided by what the request is, never by its path (express matches paths case-insensitively and a prefix
    // test is walked around by spelling): CSRF forges a signed-in browser's requests, so every state-changing
    // request on such a session needs the token (csrf-csrf lets GET, HEAD and OPTIONS through). Without a
    // session user there is nothing to forge (the route answers 401); sign-in is guarded by origin instead.
    skipCsrfProtection: (req) => !sessionAuthenticated(req),
  });
  const csrfProtection: RequestHandler = (req, res, next) => csrf.doubleCsrfProtection(req, res, (err?: unknown) => {
    if (err === csrf.invalidCsrfTokenError || (err as { code?: string } | undefined)?.code === 'EBADCSRFTOKEN') {
      return next(new Forbidden('missing or invalid CSRF token: get one from GET /api/auth/csrf and send it as x-csrf-token'));
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

/** A browser session (not a bearer token) that carries a signed-in user. */
export function sessionAuthenticated(req: Request): boolean {
  return req.viaToken !== true && Boolean(req.user);
}

export const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Signs `user` in on this browser: a new session id (passport regenerates and saves it), recorded as theirs. */
export async function establishSession(req: Request, db: Db, clock: Clock, user: AuthUser): Promise<void> {
  await new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err) : resolve())));
  await recordSession(db, req.sessionID, user.id, { ip: clientIp(req), userAgent: req.get('user-agent') }, clock.now());
}

/** Ends this browser's session: its row is deleted (not kept without a user, as passport's logout would). */
export async function destroySession(req: Request): Promise<void> {
  if (!req.session) return;
  await new Promise<void>((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
  req.user = undefined;
}
