// Dead letters: jobs that failed after their last retry stay in BullMQ's failed set (removeOnFail: false);
// the commission and admins see them here and can send one back for another round of attempts.
import { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow } from '../auth-middleware.ts';
import { canSeeDeadLetters } from '../../auth/policies.ts';
import { Conflict, Invalid, NotFound, zodIssues } from '../../errors.ts';

const FailedJob = z.object({
  queue: z.string(), jobId: z.string(), name: z.string(), data: z.record(z.string(), z.unknown()),
  failedReason: z.string().nullable(), attemptsMade: z.number().int(), finishedOn: z.string().nullable(),
}).openapi('FailedJob');
const FailedQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const RetryParams = z.object({ queue: z.string(), jobId: z.string() });

registry.registerPath({ method: 'get', path: '/api/jobs/failed', tags: ['jobs'], summary: 'Jobs that failed after their last retry (commission, admin)', security,
  request: { query: FailedQuery },
  responses: { 200: { description: 'Failed jobs, newest first', content: { 'application/json': { schema: z.array(FailedJob) } } }, ...errorResponses(401, 403) } });
registry.registerPath({ method: 'post', path: '/api/jobs/failed/{queue}/{jobId}/retry', tags: ['jobs'], summary: 'Retry a failed job', security,
  request: { params: RetryParams },
  responses: { 202: { description: 'Queued again' }, ...errorResponses(401, 403, 404, 409) } });

export function jobsRouter(deps: AppDeps): Router {
  const r = Router();
  r.use(allow(canSeeDeadLetters));

  r.get('/failed', async (req, res) => {
    const q = FailedQuery.safeParse(req.query);
    if (!q.success) throw new Invalid(zodIssues(q.error), 400);
    const lists = await Promise.all([...deps.queues].map(async ([queue, qu]) =>
      (await qu.getFailed(0, q.data.limit - 1)).filter((j) => !!j).map((j) => ({
        queue, jobId: String(j.id), name: j.name, data: j.data as Record<string, unknown>, failedReason: j.failedReason ?? null,
        attemptsMade: j.attemptsMade, finishedOn: j.finishedOn ? new Date(j.finishedOn).toISOString() : null,
      }))));
    res.json(lists.flat().sort((a, b) => (b.finishedOn ?? '').localeCompare(a.finishedOn ?? '')).slice(0, q.data.limit));
  });

  r.post('/failed/:queue/:jobId/retry', async (req, res) => {
    const { queue, jobId } = RetryParams.parse(req.params);
    const job = await deps.queues.get(queue)?.getJob(jobId);
    if (!job) throw new NotFound('job');
    if (!(await job.isFailed())) throw new Conflict('only a failed job can be retried');
    await job.retry('failed', { resetAttemptsMade: true });
    deps.log.info({ queue, jobId, by: req.user?.username }, 'dead-letter job retried');
    res.status(202).json({ queue, jobId, state: 'waiting' });
  });

  return r;
}
