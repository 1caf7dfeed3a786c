// PATCH /api/reports/:id/classification: a commission member's correction of a report's terms and stance.
import express, { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { canReviewIncidents } from '../../auth/policies.ts';
import { loadAgreement } from '../../agreements/index.ts';
import { Invalid, NotFound, zodIssues } from '../../errors.ts';
import { correctReportClassification } from '../../reports/correction.ts';
import { getReportRow } from '../../reports/repository.ts';
import { ReportView } from '../../reports/schema.ts';
import { reportView } from '../../reports/view.ts';
import { parseUuidParam } from './reports.ts';

const ClassificationCorrection = z.object({
  terms: z.array(z.string()).min(1).max(20),
  stance: z.enum(['violation', 'compliance', 'information']),
  note: z.string().trim().max(2000).optional(),
}).strict().openapi('ClassificationCorrection');

registry.registerPath({ method: 'patch', path: '/api/reports/{id}/classification', tags: ['reports'],
  summary: 'Correct a report\'s terms and stance (commission); wins over the automatic result and survives reprocessing', security,
  request: { params: z.object({ id: z.string().uuid() }), body: { content: { 'application/json': { schema: ClassificationCorrection } } } },
  responses: { 200: { description: 'The report with its corrected classification', content: { 'application/json': { schema: ReportView } } }, ...errorResponses(400, 401, 403, 404, 422) } });

export function reportCorrectionsRouter(deps: AppDeps): Router {
  const r = Router();
  const termIds = loadAgreement(deps.config.AGREEMENT_ID).terms.map((t) => t.id);
  r.patch('/:id/classification', allow(canReviewIncidents), express.json({ limit: '16kb' }), async (req, res) => {
    const user = requireUser(req);
    const id = parseUuidParam(req.params.id);
    const body = ClassificationCorrection.safeParse(req.body ?? {});
    if (!body.success) throw new Invalid(zodIssues(body.error), 422);
    await correctReportClassification({ db: deps.db, clock: deps.clock, termIds }, user, id, body.data);
    const row = await getReportRow(deps.db, id);
    if (!row) throw new NotFound('report');
    res.json(reportView(row));
  });
  return r;
}
