// HTTP adapter for the audit log (src/audit/log.ts): every recorded action, filtered and paged, for the commission
// and admins. Read-only: the chain is written only by the changes it records.
import { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { validate } from '../validate.ts';
import { canReadAuditLog } from '../../auth/policies.ts';
import { z } from 'zod';
import { AuditLogPage, AuditLogQuery, listAuditLog } from '../../audit/log.ts';
import { AUDIT_ACTIONS } from '../../audit/actions.ts';

registry.registerPath({
  method: 'get',
  path: '/api/audit',
  tags: ['audit'],
  summary: 'The audit log, newest first (commission, admin)',
  security,
  request: { query: AuditLogQuery },
  responses: {
    200: { description: 'A page of audit rows', content: { 'application/json': { schema: AuditLogPage } } },
    ...errorResponses(400, 401, 403),
  },
});

registry.registerPath({
  method: 'get',
  path: '/api/audit/actions',
  tags: ['audit'],
  summary: 'The actions the audit log records (for a filter)',
  security,
  responses: {
    200: {
      description: 'Action names',
      content: { 'application/json': { schema: z.object({ actions: z.array(z.string()) }) } },
    },
    ...errorResponses(401, 403),
  },
});

const List = validate({ query: AuditLogQuery });

export function auditRouter(deps: AppDeps): Router {
  const r = Router();
  r.use(allow(canReadAuditLog));
  r.get('/', List, async (req, res) => {
    const who = { reader: requireUser(req), pseudonym: deps.custodySigner.pseudonym };
    res.json(await listAuditLog(deps.db, who, List.input(req).query, deps.config.DIGEST_TZ));
  });
  r.get('/actions', (_req, res) => {
    res.json({ actions: AUDIT_ACTIONS });
  });
  return r;
}
