// Turns a query string or body into a schema's value or an Invalid naming every bad field.
// An empty query value (`?state=&term=`) means "no filter", as forms submit it.
import type { z } from './zod.ts';
import { Invalid, zodIssues } from '../errors.ts';

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const raw = Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
  const r = schema.safeParse(raw);
  if (!r.success) throw new Invalid(zodIssues(r.error), 400);
  return r.data;
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw new Invalid(zodIssues(r.error), 422);
  return r.data;
}
