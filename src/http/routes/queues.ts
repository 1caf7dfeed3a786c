// The queue dashboard for admins (bull-board, read-only) at /admin/queues: every queue's waiting, active, delayed,
// failed and completed jobs with their data, errors and logs. Only a browser session of an admin (signed in with the
// second factor) opens it; a bearer token does not. It is read-only: bull-board's UI cannot send this app's CSRF
// token, so its state-changing calls are refused (403 by the CSRF check, 405 by bull-board itself); a dead letter
// is retried through the audited /api/jobs and the webhooks page instead.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../deps.ts';
import { canSeeQueueDashboard } from '../../auth/policies.ts';
import { Forbidden, Unauthenticated } from '../../errors.ts';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

const adminSession: RequestHandler = (req, res, next) => {
  if (!req.user || req.viaToken) {
    // A person who is not signed in is sent to sign in; a program is told why.
    if (req.method === 'GET' && req.get('accept')?.includes('text/html')) return res.redirect(302, '/review/');
    return next(new Unauthenticated('the queue dashboard needs an admin signed in at /review/'));
  }
  if (!canSeeQueueDashboard(req.user)) return next(new Forbidden(`role ${req.user.role} may not do this`));
  next();
};

export function queueDashboardRouter(deps: Pick<AppDeps, 'queues'>): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [...deps.queues.values()].map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Ceasefire queues' } },
  });
  return Router().use(adminSession, serverAdapter.getRouter() as Router);
}
