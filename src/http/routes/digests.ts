// HTTP adapter for the digests domain (src/digests): compile on demand (201 {id}), list, and read one as JSON, HTML
// or PDF, en or ar, with the terms and parties of the configured agreement (AGREEMENT_ID).
import express, { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { loadAgreement } from '../../agreements/index.ts';
import { canCompileDigest, canReadDigests } from '../../auth/policies.ts';
import { createDigest, getDigest, listDigests } from '../../digests/index.ts';
import { renderDigestHtml } from '../../digests/html.ts';
import { renderDigestPdf } from '../../digests/pdf.ts';
import { Invalid } from '../../errors.ts';
import { DayOrInstant, toInstant } from '../../incidents/filters.ts';
import { anchorOf } from '../../audit/anchor.ts';

export const DigestCreate = z
  .object({
    from: DayOrInstant.meta({
      description: 'Start (inclusive). A date is the start of that day in Africa/Tripoli.',
      example: '2020-11-02',
    }),
    to: DayOrInstant.meta({ description: 'End (exclusive). A date includes that whole day.', example: '2020-11-08' }),
  })
  .strict()
  .meta({ id: 'DigestCreate' });
const DigestRead = z
  .object({ format: z.enum(['json', 'html', 'pdf']).default('json'), lang: z.enum(['en', 'ar']).default('en') })
  .strict();
const DigestList = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().uuid().optional() })
  .strict();

registry.registerPath({
  method: 'post',
  path: '/api/digests',
  tags: ['digests'],
  summary: 'Compile a digest for any period (commission/admin)',
  security,
  request: { body: { content: { 'application/json': { schema: DigestCreate } } } },
  responses: {
    201: {
      description: 'Compiled and stored',
      content: { 'application/json': { schema: z.object({ id: z.string().uuid() }) } },
    },
    ...errorResponses(401, 403, 422),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/digests',
  tags: ['digests'],
  summary: 'Stored digests, newest first',
  security,
  request: { query: DigestList },
  responses: { 200: { description: '{ items, nextCursor }' }, ...errorResponses(400, 401, 403) },
});
registry.registerPath({
  method: 'get',
  path: '/api/digests/{id}',
  tags: ['digests'],
  security,
  summary: 'One digest: JSON (per term id: violations, compliance, verified, ...), HTML page or PDF; English or Arabic',
  request: { params: IdParams, query: DigestRead },
  responses: {
    200: {
      description: 'The digest',
      content: {
        'application/json': { schema: z.object({}).passthrough() },
        'text/html': { schema: z.string() },
        'application/pdf': { schema: z.string().meta({ format: 'binary' }) },
      },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

const Create = validate({ body: DigestCreate });
const List = validate({ query: DigestList });
const Read = validate({ params: IdParams, query: DigestRead }, { resource: 'digest' });

export function digestsRouter(deps: AppDeps): Router {
  const r = Router();
  const tz = deps.config.DIGEST_TZ;
  const agreement = loadAgreement(deps.config.AGREEMENT_ID);
  r.use(allow(canReadDigests));

  r.post('/', allow(canCompileDigest), express.json({ limit: '4kb' }), Create, async (req, res) => {
    const user = requireUser(req);
    const { body } = Create.input(req);
    const from = toInstant(body.from, 'from', tz);
    const to = toInstant(body.to, 'to', tz);
    if (!(from < to)) throw new Invalid([{ field: 'to', reason: 'must be after from' }]);
    const digest = await createDigest(
      deps.db,
      { from, to, trigger: 'on_demand', requestedById: user.id },
      deps.clock,
      agreement,
    );
    res.status(201).location(`/api/digests/${digest.id}`).json({ id: digest.id });
  });

  r.get('/', List, async (req, res) => {
    res.json(await listDigests(deps.db, List.input(req).query));
  });

  r.get('/:id', Read, async (req, res) => {
    const { params, query: q } = Read.input(req);
    const { data, ...meta } = await getDigest(deps.db, params.id);
    const name = `digest-${meta.periodFrom.toISOString().slice(0, 10)}-${q.lang}`;
    const anchor = await anchorOf(deps.db, 'digest', meta.id, 'digest_created');
    if (q.format === 'html') {
      res.type('html').send(renderDigestHtml(data, agreement, q.lang, anchor));
      return;
    }
    if (q.format === 'pdf') {
      res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="${name}.pdf"`);
      res.send(await renderDigestPdf(data, agreement, q.lang, anchor));
      return;
    }
    // The figures at the top level (terms.<id>.violations ...), with the stored row's fields beside them.
    res.json({ ...meta, ...data, auditAnchor: anchor });
  });
  return r;
}
