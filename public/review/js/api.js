// The observer app's session calls (login, CSRF token per unsafe request, typed HTTP errors), plus what
// the commission pages need on top: query strings and the incident/digest endpoints of the contract.
import { api, login, logout, me, HttpError } from '/app/api.js';

export { api, login, logout, me, HttpError };

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const listIncidents = (filters) => api(`/api/incidents${query(filters)}`);
export const incidentMap = (filters) => api(`/api/incidents/map${query(filters)}`);
export const getIncident = (id) => api(`/api/incidents/${encodeURIComponent(id)}`);
export const incidentReports = (id, cursor) => api(`/api/incidents/${encodeURIComponent(id)}/reports${query({ cursor })}`);
export const patchIncident = (id, json) => api(`/api/incidents/${encodeURIComponent(id)}`, { method: 'PATCH', json });
export const assignees = () => api('/api/incidents/assignees');
export const comment = (id, body) => api(`/api/incidents/${encodeURIComponent(id)}/comments`, { method: 'POST', json: { body } });
export const merge = (id, otherId) => api(`/api/incidents/${encodeURIComponent(id)}/merge`, { method: 'POST', json: { otherId } });
export const split = (id, reportIds) => api(`/api/incidents/${encodeURIComponent(id)}/split`, { method: 'POST', json: { reportIds } });
export const bulk = (json) => api('/api/incidents/bulk', { method: 'POST', json });
export const listDigests = () => api('/api/digests');
export const compileDigest = (from, to) => api('/api/digests', { method: 'POST', json: { from, to } });
export const digestUrl = (id, format, lang) => `/api/digests/${encodeURIComponent(id)}${query({ format, lang })}`;

/** A message for the person at the keyboard: the API's own message when it gave one. */
export function describeError(err, t) {
  if (err instanceof HttpError) {
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 409) return t('error.conflict', { message: err.message });
    return err.message || t('error.http', { status: err.status });
  }
  return t('error.network');
}
