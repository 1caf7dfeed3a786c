// HTTP adapter for the jobs domain (src/jobs): the dead letters, listed for the commission and admins, and retried
// (audited).
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { validate } from '../validate.ts';
import { canSeeDeadLetters } from '../../auth/policies.ts';
import { listFailedJobs, retryFailedJob } from '../../jobs/index.ts';

const FailedJob = z
  .object({
    queue: z.string(),
    jobId: z.string(),
    name: z.string(),
    data: z.record(z.string(), z.unknown()),
    failedReason: z.string().nullable(),
    attemptsMade: z.number().int(),
    finishedOn: z.string().nullable(),
  })
  .meta({ id: 'FailedJob' });
const FailedQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const RetryParams = z.object({ queue: z.string(), jobId: z.string() });

registry.registerPath({
  method: 'get',
  path: '/api/jobs/failed',
  tags: ['jobs'],
  summary: 'Jobs that failed after their last retry (commission, admin)',
  security,
  request: { query: FailedQuery },
  responses: {
    200: { description: 'Failed jobs, newest first', content: { 'application/json': { schema: z.array(FailedJob) } } },
    ...errorResponses(401, 403),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/jobs/failed/{queue}/{jobId}/retry',
  tags: ['jobs'],
  summary: 'Retry a failed job (audited)',
  security,
  request: { params: RetryParams },
  responses: { 202: { description: 'Queued again' }, ...errorResponses(401, 403, 404, 409) },
});

const Failed = validate({ query: FailedQuery });
const Retry = validate({ params: RetryParams }, { resource: 'job' });

export function jobsRouter(deps: AppDeps): Router {
  const r = Router();
  r.use(allow(canSeeDeadLetters));

  r.get('/failed', Failed, async (req, res) => {
    res.json(await listFailedJobs(deps.queues, Failed.input(req).query.limit));
  });

  r.post('/failed/:queue/:jobId/retry', Retry, async (req, res) => {
    const { queue, jobId } = Retry.input(req).params;
    const user = requireUser(req);
    const retried = await retryFailedJob(deps, user, queue, jobId);
    deps.log.info({ queue, jobId, by: user.username }, 'dead-letter job retried');
    res.status(202).json(retried);
  });

  return r;
}
