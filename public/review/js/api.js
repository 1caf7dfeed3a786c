// The observer app's session calls (login, CSRF token per unsafe request, typed HTTP errors), plus what
// the commission pages need on top: query strings and the incident/digest endpoints of the contract.
import { api, logout, sync, HttpError } from '/app/api.js';

export { api, logout, HttpError };

// Signing in here has up to two steps: the password, then (commission and admin) the authenticator's code, or its
// enrollment. Each step that starts a new session makes the CSRF token of the old one useless: forget it.
const fresh = async (promise) => {
  sync.forgetCsrf();
  try {
    return await promise;
  } finally {
    sync.forgetCsrf();
  }
};

/** {user} when signed in, {secondFactor: 'verify' | 'enroll'} when the second step is next. */
export const signIn = (username, password) =>
  fresh(api('/api/auth/login', { method: 'POST', json: { username, password } }));
export const verifyCode = (code) => fresh(api('/api/auth/second-factor/verify', { method: 'POST', json: { code } }));
export const startEnrollment = () => api('/api/auth/second-factor/enrollment', { method: 'POST' });
export const confirmEnrollment = (code) =>
  fresh(api('/api/auth/second-factor/enrollment/confirm', { method: 'POST', json: { code } }));

/** {user, secondFactor} signed in; {pending: 'verify' | 'enroll'} half-way; null signed out. */
export async function whoAmI() {
  try {
    return await api('/api/auth/me');
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) {
      return err.body?.error?.code === 'second_factor_required' ? { pending: err.body.error.stage } : null;
    }
    throw err;
  }
}

/** After this browser's session ended elsewhere (signed out everywhere): its CSRF token is useless. */
export const forgetSession = () => sync.forgetCsrf();

export const listSessions = () => api('/api/auth/sessions');
export const endSession = (id) => api(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const endSessions = (scope) => api(`/api/auth/sessions?scope=${scope}`, { method: 'DELETE' });

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const listIncidents = (filters) => api(`/api/incidents${query(filters)}`);
export const incidentMap = (filters) => api(`/api/incidents/map${query(filters)}`);
export const getIncident = (id) => api(`/api/incidents/${encodeURIComponent(id)}`);
export const incidentReports = (id, cursor) =>
  api(`/api/incidents/${encodeURIComponent(id)}/reports${query({ cursor })}`);
export const photoMatches = (id) => api(`/api/incidents/${encodeURIComponent(id)}/photo-matches`);
export const custodyUrl = (id) => `/api/incidents/${encodeURIComponent(id)}/custody`;
export const patchIncident = (id, json) => api(`/api/incidents/${encodeURIComponent(id)}`, { method: 'PATCH', json });
export const assignees = () => api('/api/incidents/assignees');
export const comment = (id, body) =>
  api(`/api/incidents/${encodeURIComponent(id)}/comments`, { method: 'POST', json: { body } });
export const merge = (id, otherId) =>
  api(`/api/incidents/${encodeURIComponent(id)}/merge`, { method: 'POST', json: { otherId } });
export const split = (id, reportIds) =>
  api(`/api/incidents/${encodeURIComponent(id)}/split`, { method: 'POST', json: { reportIds } });
export const bulk = (json) => api('/api/incidents/bulk', { method: 'POST', json });
export const listReports = (params) => api(`/api/reports${query(params)}`);
export const listSavedFilters = (view) => api(`/api/saved-filters${query({ view })}`);
export const saveFilter = (json) => api('/api/saved-filters', { method: 'POST', json });
export const patchSavedFilter = (id, json) =>
  api(`/api/saved-filters/${encodeURIComponent(id)}`, { method: 'PATCH', json });
export const deleteSavedFilter = (id) => api(`/api/saved-filters/${encodeURIComponent(id)}`, { method: 'DELETE' });
export const listDigests = () => api('/api/digests');
export const auditLog = (params) => api(`/api/audit${query(params)}`);
export const auditActions = () => api('/api/audit/actions');
export const compileDigest = (from, to) => api('/api/digests', { method: 'POST', json: { from, to } });
export const digestUrl = (id, format, lang) => `/api/digests/${encodeURIComponent(id)}${query({ format, lang })}`;
export const webhookEvents = () => api('/api/webhooks/events');
export const listWebhooks = () => api('/api/webhooks');
export const createWebhook = (json) => api('/api/webhooks', { method: 'POST', json });
export const patchWebhook = (id, json) => api(`/api/webhooks/${encodeURIComponent(id)}`, { method: 'PATCH', json });
export const rotateWebhookSecret = (id) => api(`/api/webhooks/${encodeURIComponent(id)}/secret`, { method: 'POST' });
export const listDeliveries = (q) => api(`/api/webhooks/deliveries${query(q)}`);
export const getDelivery = (id) => api(`/api/webhooks/deliveries/${encodeURIComponent(id)}`);
export const listSms = (q) => api(`/api/sms/messages${query(q)}`);
export const smsAction = (id, action) =>
  api(`/api/sms/messages/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
export const resendDelivery = (id) =>
  api(`/api/webhooks/deliveries/${encodeURIComponent(id)}/resend`, { method: 'POST' });

// Administration (admin only; each change is audited by the server).
export const listUsers = () => api('/api/users');
export const createUser = (json) => api('/api/users', { method: 'POST', json });
export const patchUser = (id, json) => api(`/api/users/${encodeURIComponent(id)}`, { method: 'PATCH', json });
export const failedJobs = () => api('/api/jobs/failed');
export const retryJob = (queue, jobId) =>
  api(`/api/jobs/failed/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}/retry`, { method: 'POST' });
export const observerOdkSetup = (id) => api(`/api/users/${encodeURIComponent(id)}/odk-setup`, { method: 'POST' });
export const resetPassword = (id) => api(`/api/users/${encodeURIComponent(id)}/password`, { method: 'POST', json: {} });
export const resetSecondFactor = (id) =>
  api(`/api/users/${encodeURIComponent(id)}/second-factor`, { method: 'DELETE' });
export const userTokens = (userId) => api(`/api/users/${encodeURIComponent(userId)}/tokens`);
export const revokeUserToken = (userId, tokenId) =>
  api(`/api/users/${encodeURIComponent(userId)}/tokens/${encodeURIComponent(tokenId)}`, { method: 'DELETE' });

/** A message for the person at the keyboard: the API's own message when it gave one. */
export function describeError(err, t) {
  // A page's own wording for a refusal it understood (e.g. merge's "no incident has the id #…").
  if (err?.userMessage) return err.userMessage;
  if (err instanceof HttpError) {
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 409) return t('error.conflict', { message: err.message });
    return err.message || t('error.http', { status: err.status });
  }
  return t('error.network');
}
