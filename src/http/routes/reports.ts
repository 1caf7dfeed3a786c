// HTTP adapter for the reports domain (src/reports): intake, reading, and a commission member's correction of a
// report's classification. The observer is the authenticated user, never a field.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser, signedIn } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canEraseReports, canFileReport, canReadReport, canReviewIncidents } from '../../auth/policies.ts';
import { eraseReport, ErasureInput, erasureView, ErasureView } from '../../erasure/index.ts';
import { loadAgreement, termIdsOf } from '../../agreements/index.ts';
import { Invalid, NotFound } from '../../errors.ts';
import {
  ClassificationCorrection,
  ReportFiling,
  ReportListItem,
  ReportListQuery,
  ReportView,
} from '../../reports/schema.ts';
import { correctReportClassification } from '../../reports/correction.ts';
import { addToReportWithUploads, submitReportWithUploads } from '../../uploads/service.ts';
import { getReportRow, type ReportRow } from '../../reports/repository.ts';
import { listReports, reportListItems } from '../../reports/list.ts';
import { AdditionFiling } from '../../reports/additions.ts';
import { openInfoRequests } from '../../reports/feedback.ts';
import { reportView } from '../../reports/view.ts';
import { fromMultipartFields } from '../../reports/validate.ts';
import { stagedFiles, stagedUpload } from '../uploads.ts';
import { observerKeyFor } from '../../users/observer-identity.ts';
import type { AuthUser } from '../../users/index.ts';

const ReportPage = z
  .object({ items: z.array(ReportListItem), nextCursor: z.string().nullable() })
  .meta({ id: 'ReportPage' });
const Multipart = z
  .object({ attachments: z.array(z.string().meta({ format: 'binary' })).optional() })
  .catchall(z.string())
  .meta({ description: 'The ReportInput fields as text parts, plus files in `attachments`.' });

registry.registerPath({
  method: 'post',
  path: '/api/reports/{id}/erasure',
  tags: ['reports'],
  summary:
    'Erase a report (admin): its narrative, place and files go (files from storage when no other report cites them), ' +
    'a tombstone and an audit row stay; its incident is recomputed. Idempotent: 201 when erased now, 200 when already.',
  security,
  request: { params: IdParams, body: { content: { 'application/json': { schema: ErasureInput } } } },
  responses: {
    201: { description: 'Erased', content: { 'application/json': { schema: ErasureView } } },
    200: { description: 'Erased earlier: the tombstone', content: { 'application/json': { schema: ErasureView } } },
    ...errorResponses(401, 403, 404, 422),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/reports',
  tags: ['reports'],
  summary:
    'File a report (idempotent per observer and clientId); photos as multipart files or as finished resumable uploads ' +
    'cited in uploadIds (each usable by one report; a retry of the same clientId may cite them again)',
  security,
  request: {
    body: {
      content: {
        'application/json': {
          schema: ReportFiling,
        },
        'multipart/form-data': { schema: Multipart },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: ReportView } } },
    200: {
      description: 'Same clientId and content: the report filed earlier',
      content: { 'application/json': { schema: ReportView } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 415, 422),
    429: {
      ...errorResponses(429)[429]!,
      description:
        'Intake quota of this account reached (a retry of an accepted clientId is never refused); Retry-After says when to send again',
      headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
    },
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/reports',
  tags: ['reports'],
  summary:
    'List reports, newest received first (observers: their own), each with its observer (a username for admins and the observer themself, else a stable pseudonym) and its place in both scripts',
  security,
  request: { query: ReportListQuery },
  responses: {
    200: { description: 'A page', content: { 'application/json': { schema: ReportPage } } },
    ...errorResponses(400, 401),
  },
});
registry.registerPath({
  method: 'get',
  path: '/api/reports/{id}',
  tags: ['reports'],
  summary: 'One report with its processing status',
  security,
  request: { params: IdParams },
  responses: {
    200: { description: 'Report', content: { 'application/json': { schema: ReportView } } },
    ...errorResponses(401, 404),
  },
});
registry.registerPath({
  method: 'patch',
  path: '/api/reports/{id}/classification',
  tags: ['reports'],
  summary: "Correct a report's terms and stance (commission); wins over the automatic result and survives reprocessing",
  security,
  request: { params: IdParams, body: { content: { 'application/json': { schema: ClassificationCorrection } } } },
  responses: {
    200: {
      description: 'The report with its corrected classification',
      content: { 'application/json': { schema: ReportView } },
    },
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

registry.registerPath({
  method: 'post',
  path: '/api/reports/{id}/additions',
  tags: ['reports'],
  summary:
    "Add text or files to one's own sent report (answers the commission's open request for more information); photos " +
    "as multipart files or as finished resumable uploads cited in uploadIds, checked as a new report's are; audited",
  security,
  request: {
    params: IdParams,
    body: {
      content: {
        'application/json': { schema: AdditionFiling },
        'multipart/form-data': { schema: Multipart },
      },
    },
  },
  responses: {
    201: {
      description: 'Added',
      content: {
        'application/json': { schema: z.object({ additionId: z.string().uuid(), report: ReportView }) },
      },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 422),
  },
});

const List = validate({ query: ReportListQuery });
const One = validate({ params: IdParams });
const Correct = validate({ params: IdParams, body: ClassificationCorrection });
const Erase = validate({ params: IdParams, body: ErasureInput });

export function reportsRouter(deps: AppDeps): Router {
  const r = Router();
  const termIds = termIdsOf(loadAgreement(deps.config.AGREEMENT_ID));
  const upload = stagedUpload(deps.files, {
    files: deps.config.MAX_ATTACHMENTS,
    fileBytes: deps.config.MAX_ATTACHMENT_BYTES,
    totalBytes: deps.config.MAX_REQUEST_BYTES,
    fields: 40,
    fieldBytes: deps.config.MAX_NARRATIVE_CHARS * 4,
    sniffEarly: true,
  });
  const json = express.json({ limit: `${Math.ceil((deps.config.MAX_NARRATIVE_CHARS * 4) / 1024) + 16}kb` });

  const jsonOrFiles = (req: Request, res: Response, next: NextFunction) => {
    if (req.is('application/json')) return json(req, res, next);
    if (req.is('multipart/form-data')) return upload(req, res, next);
    next(new Invalid([{ field: '(body)', reason: 'send application/json or multipart/form-data' }], 415));
  };
  // What the observer's app shows: each report with the commission's open request for more information.
  const requestsFor = (rows: ReportRow[]) =>
    openInfoRequests(
      deps.db,
      rows.flatMap((row) => (row.incident?.state === 'needs_info' && row.incidentId ? [row.incidentId] : [])),
    );
  const present = async (reader: AuthUser, rows: ReportRow[]) => {
    const requests = await requestsFor(rows);
    const observerKey = observerKeyFor(reader, deps.custodySigner.pseudonym);
    return rows.map((row) => reportView(row, observerKey, requests));
  };

  // The body is validated by the domain (parseReportInput): JSON, multipart fields and OpenRosa submissions alike.
  r.post('/', allow(canFileReport), jsonOrFiles, async (req: Request, res) => {
    const observer = requireUser(req);
    const multipart = req.is('multipart/form-data');
    const raw = multipart ? fromMultipartFields({ ...(req.body as Record<string, unknown>) }) : req.body;
    const files = stagedFiles(req);
    const { report, created } = await submitReportWithUploads(
      deps.intake,
      observer,
      raw,
      files,
      req.viaToken ? 'api' : 'web',
    );
    res
      .status(created ? 201 : 200)
      .location(`/api/reports/${report.id}`)
      .json(reportView(report, observerKeyFor(observer, deps.custodySigner.pseudonym)));
  });

  const listing = { db: deps.db, tz: deps.config.DIGEST_TZ, pseudonym: deps.custodySigner.pseudonym };
  r.get('/', signedIn, List, async (req, res) => {
    const user = requireUser(req);
    const page = await listReports(listing, user, List.input(req).query);
    const items = await reportListItems(listing, user, page.items, await requestsFor(page.items));
    res.json({ items, nextCursor: page.nextCursor });
  });

  r.get('/:id', signedIn, One, async (req, res) => {
    const user = requireUser(req);
    const row = await getReportRow(deps.db, One.input(req).params.id);
    // Another observer's report is reported as missing, not forbidden: ids reveal nothing.
    if (!row || !canReadReport(user, row)) throw new NotFound('report');
    res.json((await present(user, [row]))[0]);
  });

  // An observer adds to a report they sent (an answer to a request for more information, a later note, files).
  r.post('/:id/additions', allow(canFileReport), One, jsonOrFiles, async (req: Request, res) => {
    const { id } = One.input(req).params;
    const body = req.is('multipart/form-data') ? fromMultipartFields({ ...(req.body as object) }) : req.body;
    const observer = requireUser(req);
    const addition = await addToReportWithUploads(deps.intake, observer, id, body, stagedFiles(req));
    const row = await getReportRow(deps.db, id);
    res
      .status(201)
      .location(`/api/reports/${id}`)
      .json({ additionId: addition.id, report: (await present(observer, [row!]))[0] });
  });

  r.patch(
    '/:id/classification',
    allow(canReviewIncidents),
    express.json({ limit: '16kb' }),
    Correct,
    async (req, res) => {
      const {
        params: { id },
        body,
      } = Correct.input(req);
      const reviewer = requireUser(req);
      await correctReportClassification({ db: deps.db, clock: deps.clock, termIds }, reviewer, id, body);
      const row = await getReportRow(deps.db, id);
      if (!row) throw new NotFound('report');
      res.json((await present(reviewer, [row]))[0]);
    },
  );

  r.post('/:id/erasure', allow(canEraseReports), express.json({ limit: '16kb' }), Erase, async (req, res) => {
    const { params, body } = Erase.input(req);
    const { tombstone, created } = await eraseReport(
      { db: deps.db, clock: deps.clock, files: deps.files, events: deps.incidentEvents },
      requireUser(req),
      params.id,
      body.reason,
    );
    res.status(created ? 201 : 200).json(erasureView(tombstone));
  });

  return r;
}
