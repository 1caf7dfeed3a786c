// The one validation middleware of the routes (Outline's validate(T.Schema)): validate({ params, query, body }) parses
// what it is given with the zod schemas the OpenAPI document shows, and the handler reads the parsed values with
// `.input(req)`. Every route answers bad input the same way:
// - a path parameter that is not well-formed (a malformed id) is a 404, as for an id that names nothing: ids reveal
//   nothing, and a client cannot tell a malformed id from one it may not see;
// - a query that does not parse is a 400 naming each field; an empty value (`?state=&term=`) means "not given", as
//   forms submit it;
// - a body that does not parse is a 422 naming each field (`bodyStatus: 400` where the contract says a malformed body
//   is a malformed request: the sign-in and token requests, the second factor's code).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { Invalid, NotFound, zodIssues } from '../errors.ts';

export interface RequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

export type Input<S extends RequestSchemas> = { [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never };

export interface ValidateOptions {
  /** What a malformed path parameter is reported as not finding ("report not found"); "resource" by default. */
  resource?: string;
  bodyStatus?: 400 | 422;
}

export interface Validator<S extends RequestSchemas> extends RequestHandler {
  /** The parsed input of a request this middleware passed. */
  input(req: Request): Input<S>;
}

export function validate<S extends RequestSchemas>(schemas: S, opts: ValidateOptions = {}): Validator<S> {
  const parsed = new WeakMap<Request, Input<S>>();
  const middleware = (req: Request, _res: Response, next: NextFunction) => {
    const out: Record<string, unknown> = {};
    if (schemas.params) {
      const r = schemas.params.safeParse(req.params ?? {});
      if (!r.success) return next(new NotFound(opts.resource ?? 'resource'));
      out.params = r.data;
    }
    if (schemas.query) {
      const r = schemas.query.safeParse(withoutEmpty(req.query));
      if (!r.success) return next(new Invalid(zodIssues(r.error), 400));
      out.query = r.data;
    }
    if (schemas.body) {
      const r = schemas.body.safeParse(req.body ?? {});
      if (!r.success) return next(new Invalid(zodIssues(r.error), opts.bodyStatus ?? 422));
      out.body = r.data;
    }
    parsed.set(req, out as Input<S>);
    next();
  };
  return Object.assign(middleware, {
    input(req: Request): Input<S> {
      const v = parsed.get(req);
      if (!v) throw new Error('validate(): the middleware did not run for this request');
      return v;
    },
  });
}

function withoutEmpty(query: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
}

/** The params of a route with a uuid `:id` (malformed: a 404, see above). */
export const IdParams = z.object({ id: z.string().uuid() });
