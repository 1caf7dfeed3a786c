import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Invalid, NotFound } from '../../../src/errors.ts';
import { IdParams, validate, type RequestSchemas } from '../../../src/http/validate.ts';
import { QueueQuery } from '../../../src/incidents/queue.ts';

/** Runs the middleware on a request made of these parts: the error it passed on, or the parsed input. */
function run<S extends RequestSchemas>(
  schemas: S,
  parts: { params?: object; query?: object; body?: unknown },
  opts = {},
) {
  const v = validate(schemas, opts);
  const req = { params: parts.params ?? {}, query: parts.query ?? {}, body: parts.body } as unknown as Request;
  let error: unknown;
  v(req, {} as Response, (e?: unknown) => {
    error = e;
  });
  return error ? { error } : { input: v.input(req) };
}

describe('validate()', () => {
  it('drops empty query values ("no filter", as forms submit them) and turns bad ones into a 400 naming the field', () => {
    expect(run({ query: QueueQuery }, { query: { state: '', term: '', sort: 'age' } }).input?.query).toMatchObject({
      sort: 'age',
      limit: 50,
    });
    const { error } = run({ query: QueueQuery }, { query: { limit: '999' } });
    expect(error).toBeInstanceOf(Invalid);
    expect((error as Invalid).status).toBe(400);
    expect((error as Invalid).issues[0]!.field).toBe('limit');
  });

  it('answers a malformed id in the path as a 404, like an id that names nothing', () => {
    const { error } = run({ params: IdParams }, { params: { id: 'not-a-uuid' } }, { resource: 'report' });
    expect(error).toBeInstanceOf(NotFound);
    expect((error as NotFound).message).toBe('report not found');
    const id = '0b0e4c2a-8d5f-4c47-9a53-5b1f0f1f7a10';
    expect(run({ params: IdParams }, { params: { id } }).input?.params).toEqual({ id });
  });

  it('refuses a body with a 422 naming each field (400 where the contract calls it malformed)', () => {
    const Body = z.object({ name: z.string().min(1) }).strict();
    const bad = run({ body: Body }, { body: { name: '', extra: 1 } });
    expect((bad.error as Invalid).status).toBe(422);
    expect((bad.error as Invalid).issues.map((i) => i.field).sort()).toEqual(['(body)', 'name']);
    expect((run({ body: Body }, { body: {} }, { bodyStatus: 400 }).error as Invalid).status).toBe(400);
    expect(run({ body: Body }, { body: { name: 'x' } }).input?.body).toEqual({ name: 'x' });
  });
});
