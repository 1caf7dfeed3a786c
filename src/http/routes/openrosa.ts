// HTTP adapter for the openrosa domain (src/openrosa): the endpoints of ODK Collect / KoboCollect / Enketo, at the
// server root and under /key/<token>. Answers are OpenRosa XML (Collect shows the <message>), never the JSON errors of
// /api: errors are the same problems as everywhere (src/http/errors.ts problemOf), written as <OpenRosaResponse>.
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { logProblem, problemOf } from '../errors.ts';
import { registry } from '../openapi.ts';
import { validate } from '../validate.ts';
import { canFileReport } from '../../auth/policies.ts';
import { Forbidden, Invalid, NotFound } from '../../errors.ts';
import { authenticateOpenRosa, basicAllowed, createBasicCache, type OpenRosaCredentials } from '../../openrosa/auth.ts';
import { buildFormList } from '../../openrosa/formList.ts';
import { receiveSubmission } from '../../openrosa/intake.ts';
import { openRosaResponse } from '../../openrosa/response.ts';
import { publish, publishedForm } from '../../openrosa/xform.ts';
import { followupSpec } from '../../openrosa/followup.ts';
import { recentReportsOf } from '../../reports/feedback.ts';
import { loadAgreement } from '../../agreements/index.ts';
import type { AuthUser } from '../../users/index.ts';
import { DEFAULT_MAX_XML_BYTES } from '../../openrosa/xml.ts';
import { stagedFiles, stagedUpload } from '../uploads.ts';

export type OpenRosaDeps = Pick<
  AppDeps,
  'config' | 'db' | 'log' | 'tokens' | 'loginLimiter' | 'credentialEpoch' | 'intake' | 'audit' | 'files'
>;

const XML_TYPE = 'text/xml; charset=utf-8';
const KEY_PREFIX = '/key/:token';

registry.registerComponent('securitySchemes', 'openrosaBasic', {
  type: 'http',
  scheme: 'basic',
  description:
    'Observer username and password (HTTPS only in production); or put a personal API token in the URL: /key/{token}/...',
});
const xml = (description: string) => ({ description, content: { 'text/xml': { schema: z.string() } } });
const orx = { tags: ['openrosa'], security: [{ openrosaBasic: [] }] };
const xmlErrors = {
  401: xml('Not authenticated (Basic challenge)'),
  403: xml('Wrong key, role or plain HTTP in production'),
  404: xml('Unknown form'),
};
const FormListQuery = z.object({ formID: z.string().optional() });
const FormParams = z.object({ formId: z.string() });
registry.registerPath({
  ...orx,
  method: 'get',
  path: '/formList',
  summary: 'OpenRosa form list (xformsList)',
  request: { query: FormListQuery },
  responses: { 200: xml('Form list'), ...xmlErrors },
});
registry.registerPath({
  ...orx,
  method: 'get',
  path: '/forms/{formId}/form.xml',
  summary: 'The ceasefire report XForm',
  request: { params: FormParams },
  responses: { 200: xml('XForm'), ...xmlErrors },
});
const FormList = validate({ query: FormListQuery.passthrough() });
const Form = validate({ params: FormParams.passthrough() });
registry.registerPath({
  ...orx,
  method: 'head',
  path: '/submission',
  summary: 'Submission preflight',
  responses: {
    204: { description: 'Ready; X-OpenRosa-Accept-Content-Length says the largest POST accepted' },
    ...xmlErrors,
  },
});
registry.registerPath({
  ...orx,
  method: 'post',
  path: '/submission',
  summary: 'OpenRosa submission (multipart: xml_submission_file plus attachments named by file)',
  request: {
    body: {
      content: {
        'multipart/form-data': {
          schema: z
            .object({ xml_submission_file: z.string().meta({ format: 'binary' }) })
            .catchall(z.string().meta({ format: 'binary' })),
        },
      },
    },
  },
  responses: {
    201: xml('Report received, or already received (idempotent by instanceID)'),
    400: xml('Malformed XML or missing part'),
    409: xml('instanceID already used with other content'),
    413: xml('Too large'),
    415: xml('Not multipart'),
    422: xml('Invalid field'),
    429: xml('Intake quota of this account reached; Retry-After says when to send again'),
    ...xmlErrors,
  },
});

function credentials(deps: OpenRosaDeps, req: Request): OpenRosaCredentials {
  const token = typeof req.params.token === 'string' ? req.params.token : undefined;
  return {
    authorization: req.headers.authorization,
    urlToken: token,
    ip: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    secure: req.secure,
    basicNeedsTls: deps.config.cookieSecure,
  };
}

function sendXml(res: Response, status: number, body: string): void {
  res.status(status).type(XML_TYPE).send(body);
}

/**
 * The form list's links, with the key the client came with. The origin is the configured PUBLIC_URL: echoing the
 * Host header would let a forged Host send a `/key/<token>` link elsewhere. Without PUBLIC_URL (development only,
 * config refuses production without it) the Host is used, for phones that reach a laptop by its LAN address.
 */
function baseUrl(config: OpenRosaDeps['config'], req: Request): string {
  const key = typeof req.params.token === 'string' ? `/key/${encodeURIComponent(req.params.token)}` : '';
  const origin = config.PUBLIC_URL ?? `${req.protocol}://${req.get('host')}`;
  return `${origin}${req.baseUrl}${key}`;
}

export function openRosaRouter(deps: OpenRosaDeps): Router {
  const r = Router();
  const acceptLength = String(deps.config.MAX_ATTACHMENT_BYTES);
  const timeZone = loadAgreement(deps.config.AGREEMENT_ID).timezone;
  const authDeps = { ...deps, basicCache: createBasicCache() };
  const upload = stagedUpload(deps.files, {
    // room for the XML part and a form audit log beside the photos
    files: deps.config.MAX_ATTACHMENTS + 2,
    fileBytes: Math.max(deps.config.MAX_ATTACHMENT_BYTES, DEFAULT_MAX_XML_BYTES),
    totalBytes: deps.config.MAX_REQUEST_BYTES,
    fields: 10,
    fieldBytes: DEFAULT_MAX_XML_BYTES,
    // Which parts are evidence is known only once the XML is read; the others are dropped unsniffed.
    sniffEarly: false,
  });

  const openRosa: RequestHandler = (_req, res, next) => {
    res.set('X-OpenRosa-Version', '1.0');
    next();
  };
  const authenticate: RequestHandler = async (req, res, next) => {
    const c = credentials(deps, req);
    // Remembered here: the error handler below runs outside the route and no longer sees req.params.
    res.locals.basicChallenge = basicAllowed(c);
    req.user = await authenticateOpenRosa(authDeps, c);
    next();
  };
  const multipart: RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      return next(
        new Invalid([{ field: '(body)', reason: 'send multipart/form-data with an xml_submission_file part' }], 415),
      );
    }
    upload(req, res, next);
  };

  // The report form is the same for everyone; the follow-up form lists the observer's own reports.
  const formsFor = async (user: AuthUser) => {
    const forms = [publishedForm(deps.config.MAX_ATTACHMENTS)];
    if (canFileReport(user)) {
      const spec = followupSpec(await recentReportsOf(deps.db, user.id), timeZone);
      forms.push(publish(spec, { maxPhotos: deps.config.MAX_ATTACHMENTS }));
    }
    return forms;
  };
  const formList: RequestHandler = async (req, res) => {
    const only = FormList.input(req).query.formID;
    const forms = (await formsFor(req.user!))
      .filter((f) => !only || only === f.formId)
      .map((f) => ({ ...f, downloadUrl: `${baseUrl(deps.config, req)}/forms/${f.formId}/form.xml` }));
    sendXml(res, 200, buildFormList(forms));
  };
  const formXml: RequestHandler = async (req, res) => {
    const { formId } = Form.input(req).params;
    const form = (await formsFor(req.user!)).find((f) => f.formId === formId);
    if (!form) throw new NotFound(`form ${formId}`);
    sendXml(res, 200, form.xml);
  };
  const preflight: RequestHandler = (_req, res) => {
    res.set('X-OpenRosa-Accept-Content-Length', acceptLength).status(204).end();
  };
  const submit: RequestHandler = async (req, res) => {
    const observer = req.user!;
    if (!canFileReport(observer)) throw new Forbidden(`role ${observer.role} may not submit reports`);
    const parts = stagedFiles(req);
    // Some clients send the XML as a plain text field rather than a file part.
    const xmlField = (req.body as Record<string, unknown> | undefined)?.xml_submission_file;
    const xmlText = typeof xmlField === 'string' ? Buffer.from(xmlField, 'utf8') : undefined;
    const received = await receiveSubmission(deps.intake, observer, parts, { xmlText });
    if (received.kind === 'followup') {
      res.set('X-OpenRosa-Accept-Content-Length', acceptLength).location(`/api/reports/${received.reportId}`);
      sendXml(res, 201, openRosaResponse('Your answer was added to the report.', 'submit_success'));
      return;
    }
    const { report, created, edited } = received;
    res.set('X-OpenRosa-Accept-Content-Length', acceptLength).location(`/api/reports/${report.id}`);
    // A repeat is still 201: Collect marks the form sent only on 201, and a resend often carries missing photos.
    const message = edited
      ? `Report updated: version ${report.version} (${report.id}).`
      : created
        ? `Report received (${report.id}).`
        : `Report already received (${report.id}).`;
    sendXml(res, 201, openRosaResponse(message, 'submit_success'));
  };

  for (const prefix of ['', KEY_PREFIX]) {
    r.get(`${prefix}/formList`, openRosa, authenticate, FormList, formList);
    r.get(`${prefix}/forms/:formId/form.xml`, openRosa, authenticate, Form, formXml);
    r.head(`${prefix}/submission`, openRosa, authenticate, preflight);
    r.post(`${prefix}/submission`, openRosa, authenticate, multipart, submit);
  }

  // The OpenRosa writer of the one error mapping.
  const errors: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const p = problemOf(err);
    logProblem(deps.log, p, err, req);
    res.set('X-OpenRosa-Version', '1.0');
    for (const [name, value] of Object.entries(p.headers ?? {})) res.set(name, value);
    if (p.status === 401 && res.locals.basicChallenge === true)
      res.set('WWW-Authenticate', 'Basic realm="ceasefire", charset="UTF-8"');
    if (req.method === 'HEAD') {
      res.status(p.status).end();
      return;
    }
    sendXml(res, p.status, openRosaResponse(p.message, 'error'));
  };
  r.use(errors);
  return r;
}
