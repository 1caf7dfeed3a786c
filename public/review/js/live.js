// Live queue updates: one EventSource on /api/incidents/events while a commission member is signed in. Incident
// events are handed on at once (notifications) and, gathered over a short pause, make the queue reload itself with
// an "updated" notice. A dropped stream reconnects (the browser's own retry, or ours with backoff when the server
// refused it) and reloads once back, since events missed meanwhile are not replayed.
import { $ } from './dom.js';
import { t, formatDateTime } from './i18n.js';

const DEBOUNCE_MS = 700;
const MAX_RETRY_MS = 60_000;

let source = null;
let opts = null;
let batch = [];
let debounce = null;
let retry = null;
let retryMs = 2_000;
let missed = false;
let status = 'off';
let updatedAt = null;

function setStatus(next) {
  status = next;
  relabelLive();
}

/** The live indicator and the "updated" notice in the page language (also after a language switch). */
export function relabelLive() {
  const el = $('live-status');
  if (!el) return;
  el.dataset.state = status;
  el.textContent = status === 'live' ? t('live.on') : status === 'reconnecting' ? t('live.reconnecting') : '';
  $('queue-updated').textContent = updatedAt ? t('live.updated', { time: formatDateTime(updatedAt) }) : '';
  $('queue-updated').hidden = !updatedAt;
}

/** Called once the queue reloaded because of events: the notice says when. */
export function markUpdated() {
  updatedAt = new Date();
  relabelLive();
}

function flush() {
  debounce = null;
  const events = batch;
  batch = [];
  opts?.onChange(events);
}

function connect() {
  retry = null;
  source = new EventSource('/api/incidents/events');
  source.addEventListener('open', () => {
    retryMs = 2_000;
    setStatus('live');
    if (missed) {
      missed = false;
      opts?.onChange([]);
    }
  });
  source.addEventListener('incident', (ev) => {
    let events;
    try {
      events = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!Array.isArray(events)) return;
    opts?.onEvents(events);
    batch.push(...events);
    clearTimeout(debounce);
    debounce = setTimeout(flush, DEBOUNCE_MS);
  });
  source.addEventListener('error', () => {
    missed = true;
    setStatus('reconnecting');
    // CONNECTING: the browser tries again by itself. CLOSED: it gave up (an error status): we try later.
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      source = null;
      retry = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
  });
}

/** opts: { onEvents(events) for every event as it comes, onChange(events) after a pause or a reconnection }. */
export function startLive(options) {
  stopLive();
  opts = options;
  connect();
}

export function stopLive() {
  source?.close();
  source = null;
  clearTimeout(retry);
  clearTimeout(debounce);
  retry = null;
  debounce = null;
  batch = [];
  missed = false;
  opts = null;
  updatedAt = null;
  setStatus('off');
}
