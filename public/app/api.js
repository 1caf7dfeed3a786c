// Session-cookie calls to the API. State-changing requests carry the CSRF token from GET /api/auth/csrf.
import './sync-core.js';

export const sync = globalThis.ObserverSync;
const { csrf, forgetCsrf, HttpError, readError } = sync;
export { HttpError };

export async function api(path, { method = 'GET', json } = {}) {
  const headers = {};
  if (json !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = await csrf();
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    cache: 'no-store',
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  if (!res.ok)
    throw new HttpError(res.status, await readError(res), Number(res.headers.get('retry-after')) || undefined);
  return res.status === 204 ? null : res.json();
}

export async function login(username, password) {
  forgetCsrf();
  const { user } = await api('/api/auth/login', { method: 'POST', json: { username, password } });
  // The session is new after login, and a CSRF token is tied to the session it was issued for.
  forgetCsrf();
  if (!user) {
    // A commission or admin account: its sign-in goes on with a second factor, on the commission pages.
    try {
      await logout();
    } catch {
      /* the waiting sign-in expires by itself */
    }
    throw new HttpError(403, { error: { code: 'use_review', message: 'sign in on the commission pages' } });
  }
  return user;
}

export async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST' });
  } finally {
    forgetCsrf();
  }
}

export async function me() {
  try {
    return (await api('/api/auth/me')).user;
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return null;
    throw err;
  }
}
