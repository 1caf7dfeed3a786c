// Outbox of unsent reports (IndexedDB) and the one routine that delivers them to POST /api/reports.
// Written as a plain script (no import/export) so the service worker can importScripts() it for
// Background Sync while the page imports the very same file as a module: one delivery path, not two.
(function (global) {
  'use strict';
  const DB_NAME = 'observer-outbox';
  const STORE = 'reports';
  const CHANNEL = 'observer-outbox';
  const BASE_DELAY_MS = 5000;
  const MAX_DELAY_MS = 5 * 60 * 1000;

  let dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'clientId' });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }

  async function tx(mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('transaction aborted'));
    });
  }

  const put = (item) => tx('readwrite', (s) => s.put(item));
  const get = (clientId) => tx('readonly', (s) => s.get(clientId));
  const remove = (clientId) => tx('readwrite', (s) => s.delete(clientId));
  const list = async () => ((await tx('readonly', (s) => s.getAll())) || []).sort((a, b) => a.createdAt - b.createdAt);

  function announce(message) {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel(CHANNEL);
    ch.postMessage(message);
    ch.close();
  }

  // Exponential backoff with jitter, so a fleet of phones regaining signal at once does not hammer the API.
  function nextDelay(attempts) {
    const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  function toFormData(item) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(item.fields)) {
      if (v === undefined || v === null || v === '') continue;
      fd.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    for (const f of item.files) fd.append('attachments', f.blob, f.name);
    return fd;
  }

  let csrfToken = null;
  async function csrf(refresh) {
    if (!csrfToken || refresh) {
      const res = await fetch('/api/auth/csrf', { credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new HttpError(res.status, await readError(res));
      csrfToken = (await res.json()).token;
    }
    return csrfToken;
  }
  function forgetCsrf() {
    csrfToken = null;
  }

  class HttpError extends Error {
    constructor(status, body, retryAfterSeconds) {
      super((body && body.error && body.error.message) || `HTTP ${status}`);
      this.status = status;
      this.body = body;
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  async function readError(res) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }

  // One attempt at delivering one report. The clientId travels with it, so the server answers a retry of a
  // report it already stored with 200 and the same report instead of storing it twice.
  async function sendOne(item) {
    let res;
    for (let attempt = 0; attempt < 2; attempt++) {
      let token;
      try {
        token = await csrf(attempt > 0);
        res = await fetch('/api/reports', {
          method: 'POST',
          body: toFormData(item),
          credentials: 'same-origin',
          headers: { 'x-csrf-token': token },
        });
      } catch (err) {
        if (err instanceof HttpError && err.status === 401) return { kind: 'auth' };
        if (err instanceof HttpError && err.status < 500) return { kind: 'retry', message: err.message };
        return { kind: 'retry', message: String((err && err.message) || err) };
      }
      // A 403 is most often a CSRF token bound to an older session: fetch a fresh one and try once more.
      if (res.status !== 403) break;
    }
    const body = res.ok ? await res.json() : await readError(res);
    if (res.status === 200 || res.status === 201) return { kind: 'sent', report: body };
    if (res.status === 401) return { kind: 'auth' };
    if (res.status === 409) return { kind: 'conflict', message: body && body.error ? body.error.message : 'conflict' };
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      return { kind: 'retry', message: body && body.error ? body.error.message : `HTTP ${res.status}` };
    }
    return {
      kind: 'invalid',
      status: res.status,
      message: body && body.error ? body.error.message : `HTTP ${res.status}`,
      issues: (body && body.error && body.error.issues) || [],
    };
  }

  async function withLock(fn) {
    // Page and service worker may flush at the same time; the server would dedupe, but one sender is cheaper.
    if (global.navigator && navigator.locks) return navigator.locks.request('observer-outbox-flush', fn);
    return fn();
  }

  async function currentUser() {
    const res = await fetch('/api/auth/me', { credentials: 'same-origin', cache: 'no-store' });
    if (res.status === 401) return null;
    if (!res.ok) throw new HttpError(res.status, await readError(res));
    return (await res.json()).user;
  }

  // Sends every due report of the signed-in observer. `force` ignores backoff (the observer pressed
  // "send now", or the connection just came back). Returns the outcome per clientId.
  async function flush(options) {
    const force = Boolean(options && options.force);
    const only = options && options.only;
    return withLock(async () => {
      const outcomes = {};
      const now = Date.now();
      const due = (await list()).filter(
        (i) =>
          (only ? i.clientId === only : true) &&
          (i.state === 'pending' || i.state === 'auth' || (i.state === 'retry' && (force || i.nextAttemptAt <= now))),
      );
      if (due.length === 0) return outcomes;
      let user;
      try {
        user = await currentUser();
      } catch (err) {
        for (const i of due) outcomes[i.clientId] = { kind: 'retry', message: String(err.message || err) };
        await recordOutcomes(due, outcomes, only);
        return outcomes;
      }
      for (const item of due) {
        if (!user) {
          outcomes[item.clientId] = { kind: 'auth' };
          continue;
        }
        // A shared phone must not send one observer's reports under another's session.
        if (item.observerId && item.observerId !== user.id) continue;
        outcomes[item.clientId] = await sendOne(item);
        if (outcomes[item.clientId].kind === 'auth') forgetCsrf();
      }
      await recordOutcomes(due, outcomes, only);
      return outcomes;
    });
  }

  async function recordOutcomes(items, outcomes, quiet) {
    let sent = 0;
    for (const item of items) {
      const o = outcomes[item.clientId];
      if (!o) continue;
      if (o.kind === 'sent') {
        await remove(item.clientId);
        sent++;
        continue;
      }
      const attempts = (item.attempts || 0) + (o.kind === 'retry' ? 1 : 0);
      await put({
        ...item,
        state: o.kind,
        attempts,
        nextAttemptAt: o.kind === 'retry' ? Date.now() + nextDelay(attempts) : 0,
        lastError: o.message || null,
        issues: o.issues || [],
      });
    }
    announce({ type: 'changed', sent: quiet ? 0 : sent });
  }

  async function enqueue(item) {
    await put({ state: 'pending', attempts: 0, nextAttemptAt: 0, lastError: null, issues: [], ...item });
    announce({ type: 'changed', sent: 0 });
  }

  async function discard(clientId) {
    await remove(clientId);
    announce({ type: 'changed', sent: 0 });
  }

  global.ObserverSync = { CHANNEL, enqueue, discard, get, list, flush, csrf, forgetCsrf, HttpError, readError };
})(typeof self !== 'undefined' ? self : globalThis);
