// Outbox of unsent reports (IndexedDB) and the one routine that delivers them to POST /api/reports.
// Written as a plain script (no import/export) so the service worker can importScripts() it for
// Background Sync while the page imports the very same file as a module: one delivery path, not two.
(function (global) {
  'use strict';
  const DB_NAME = 'observer-outbox';
  const STORE = 'reports';
  const CHANNEL = 'observer-outbox';
  const BASE_DELAY_MS = 5000;
  // Photos go in chunks of this size (resumable uploads, /api/uploads): on a 2G or satellite link a dropped
  // connection costs at most one chunk, and the next attempt starts from the last byte the server holds.
  const CHUNK_BYTES = 256 * 1024;
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

  /** The report's fields, citing its photos by their finished uploads (sent before, in chunks). */
  function toFormData(item, uploadIds) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(item.fields)) {
      if (v === undefined || v === null || v === '') continue;
      fd.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
    if (uploadIds.length) fd.append('uploadIds', uploadIds.join(','));
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

  // A state-changing request with the CSRF token; a 403 is most often a token bound to an older session: fetch a
  // fresh one and try once more.
  async function send(path, init) {
    let res;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await csrf(attempt > 0);
      res = await fetch(path, {
        ...init,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { ...init.headers, 'x-csrf-token': token },
      });
      if (res.status !== 403) break;
    }
    return res;
  }

  class Outcome extends Error {
    constructor(outcome) {
      super(outcome.message || outcome.kind);
      this.outcome = outcome;
    }
  }

  function outcomeOf(res, body) {
    const message = body && body.error ? body.error.message : `HTTP ${res.status}`;
    if (res.status === 401) return { kind: 'auth' };
    if (res.status === 409) return { kind: 'conflict', message };
    if (res.status === 408 || res.status === 429 || res.status >= 500) return { kind: 'retry', message };
    // The form shows a photo's problem at the photos field, whichever way the photo travelled.
    const issues = ((body && body.error && body.error.issues) || []).map((i) => ({
      ...i,
      field: String(i.field).replace(/^uploadIds/, 'attachments'),
    }));
    return { kind: 'invalid', status: res.status, message, issues };
  }

  function progressOf(item) {
    const total = item.files.reduce((n, f) => n + f.blob.size, 0);
    const sent = item.files.reduce(
      (n, f, i) => n + Math.min(f.blob.size, ((item.uploads || [])[i] || {}).offset || 0),
      0,
    );
    return { sent, total };
  }

  /**
   * Sends one file in chunks as a resumable upload, from the offset the server holds (asked first: the last attempt
   * may have been cut after bytes arrived). `held` ({id, offset} or null) is where an earlier attempt got to; `keep`
   * is told of every step, so the caller can hold on to it (the outbox in IndexedDB, a form in memory) and the next
   * attempt resumes. `field` names the file in the errors (attachments[i]). Resolves to the finished upload's id;
   * refusals reject with an Outcome.
   */
  async function uploadFile(blob, name, held, keep, field, onChunk) {
    const size = blob.size;
    let upload = held;
    if (upload) {
      const res = await fetch(`/api/uploads/${upload.id}`, {
        method: 'HEAD',
        credentials: 'same-origin',
        cache: 'no-store',
      });
      if (res.status === 404)
        upload = null; // swept after days without a chunk: start it again
      else if (!res.ok) throw new Outcome(outcomeOf(res, null));
      else upload.offset = Number(res.headers.get('upload-offset'));
    }
    if (!upload) {
      const res = await send('/api/uploads', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lengthBytes: size, originalName: name }),
      });
      const body = res.ok ? await res.json() : await readError(res);
      if (!res.ok) {
        const o = outcomeOf(res, body);
        if (o.issues) o.issues = o.issues.map((x) => ({ ...x, field }));
        // Too many unfinished uploads on the server is a wait, not a wrong report.
        throw new Outcome(res.status === 409 ? { kind: 'retry', message: o.message } : o);
      }
      upload = { id: body.id, offset: 0 };
      await keep(upload);
    }
    while (upload.offset < size) {
      const res = await send(`/api/uploads/${upload.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(upload.offset) },
        body: blob.slice(upload.offset, upload.offset + CHUNK_BYTES),
      });
      if (res.ok) {
        upload.offset = Number(res.headers.get('upload-offset'));
      } else {
        const body = await readError(res);
        // The server holds another offset (an earlier chunk's answer was lost): go on from its offset.
        if (res.status === 409 && body && body.error && typeof body.error.offsetBytes === 'number')
          upload.offset = body.error.offsetBytes;
        else if (res.status === 404) {
          await keep(null); // swept: the next attempt sends this file again
          throw new Outcome({ kind: 'retry', message: 'upload gone' });
        } else throw new Outcome(outcomeOf(res, body));
      }
      await keep(upload);
      if (onChunk) onChunk(upload.offset);
    }
    return upload.id;
  }

  /** The i-th photo of an outbox report, its upload's state kept in the item (a reload resumes too). */
  function uploadPhoto(item, i, onProgress) {
    const file = item.files[i];
    const keep = async (held) => {
      item.uploads[i] = held;
      await put(item);
    };
    return uploadFile(file.blob, file.name, item.uploads[i], keep, `attachments[${i}]`, () => {
      const p = progressOf(item);
      if (onProgress) onProgress(p);
      announce({ type: 'progress', clientId: item.clientId, ...p });
    });
  }

  // One attempt at delivering one report: its photos in chunks, then the report citing them. The clientId travels
  // with it, so the server answers a retry of a report it already stored with 200 and the same report.
  async function sendOne(item, onProgress) {
    if (!Array.isArray(item.uploads)) item.uploads = item.files.map(() => null);
    let res;
    try {
      const uploadIds = [];
      for (let i = 0; i < item.files.length; i++) uploadIds.push(await uploadPhoto(item, i, onProgress));
      res = await send('/api/reports', { method: 'POST', body: toFormData(item, uploadIds) });
    } catch (err) {
      if (err instanceof Outcome) return err.outcome;
      if (err instanceof HttpError && err.status === 401) return { kind: 'auth' };
      if (err instanceof HttpError && err.status < 500) return { kind: 'retry', message: err.message };
      return { kind: 'retry', message: String((err && err.message) || err) };
    }
    const body = res.ok ? await res.json() : await readError(res);
    if (res.status === 200 || res.status === 201) return { kind: 'sent', report: body };
    const issues = (body && body.error && body.error.issues) || [];
    // An upload swept while the report waited (days offline): send that photo again.
    if (res.status === 422 && issues.some((x) => /^uploadIds/.test(x.field) && x.reason === 'no such upload')) {
      item.uploads = item.files.map(() => null);
      return { kind: 'retry', message: body.error.message };
    }
    const outcome = outcomeOf(res, body);
    // A refused report goes back to the form with its photos: the server need not hold their uploads meanwhile.
    if (outcome.kind === 'invalid') {
      for (const u of item.uploads)
        if (u) await send(`/api/uploads/${u.id}`, { method: 'DELETE' }).catch(() => undefined);
      item.uploads = item.files.map(() => null);
    }
    return outcome;
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
    const onProgress = options && options.onProgress;
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
        outcomes[item.clientId] = await sendOne(item, onProgress);
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

  global.ObserverSync = {
    CHANNEL,
    enqueue,
    discard,
    get,
    list,
    flush,
    progressOf,
    uploadFile,
    Outcome,
    csrf,
    forgetCsrf,
    HttpError,
    readError,
  };
})(typeof self !== 'undefined' ? self : globalThis);
