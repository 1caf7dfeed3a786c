// "Waiting to send": reports kept on this device until the server has them, and the delivery schedule:
// right away when the connection returns, a periodic retry for backed-off failures, and Background Sync
// so the service worker can deliver even after the page is closed.
import { sync } from './api.js';
import { t, formatBytes, formatDateTime, formatRelative, formatNumber } from './i18n.js';

const $ = (id) => document.getElementById(id);
const RETRY_EVERY_MS = 15000;
let onEdit = () => {};
let onSent = () => {};

function describe(item) {
  switch (item.state) {
    case 'retry':
      return t('outbox.state.retry', { time: formatRelative(item.nextAttemptAt) });
    case 'conflict':
      return t('outbox.state.conflict');
    case 'invalid':
      return t('outbox.state.invalid');
    case 'auth':
      return t('outbox.state.auth');
    default:
      return t('outbox.state.pending');
  }
}

function button(label, handler) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: label });
  b.addEventListener('click', handler);
  return b;
}

function renderItem(item) {
  const li = Object.assign(document.createElement('li'), { className: `item outbox-${item.state}` });
  li.dataset.clientId = item.clientId;
  const head = Object.assign(document.createElement('div'), { className: 'item-head' });
  const where = Object.assign(document.createElement('bdi'), {
    className: 'where',
    textContent:
      item.fields.placeName || (item.fields.lat !== undefined ? `${item.fields.lat}, ${item.fields.lon}` : ''),
  });
  const state = Object.assign(document.createElement('span'), { className: 'status', textContent: describe(item) });
  head.append(where, state);
  const narrative = Object.assign(document.createElement('p'), {
    className: 'narrative',
    dir: 'auto',
    textContent: item.fields.narrative,
  });
  const meta = Object.assign(document.createElement('p'), {
    className: 'hint',
    textContent: `${t('outbox.saved', { time: formatDateTime(item.createdAt) })} · ${t('outbox.files', { count: item.files.length })}`,
  });
  li.append(head, narrative, meta);
  // Photos partly sent (chunked uploads): how far, in words; the next attempt goes on from there.
  const { sent, total } = sync.progressOf(item);
  if (sent > 0 && (item.state === 'pending' || item.state === 'retry' || item.state === 'auth'))
    li.append(
      Object.assign(document.createElement('p'), {
        className: 'hint upload-progress',
        textContent: t('outbox.photos', { sent: formatBytes(sent), total: formatBytes(total) }),
      }),
    );
  if (item.state === 'invalid' || item.state === 'conflict') {
    const reasons = (item.issues || []).map((i) => `${i.field}: ${i.reason}`).join('; ') || item.lastError;
    if (reasons) li.append(Object.assign(document.createElement('p'), { className: 'error', textContent: reasons }));
  }
  const actions = Object.assign(document.createElement('div'), { className: 'actions' });
  if (item.state === 'invalid' || item.state === 'conflict') {
    actions.append(
      button(t('outbox.edit'), async () => {
        await sync.discard(item.clientId);
        onEdit(item);
      }),
    );
  }
  actions.append(
    button(t('outbox.delete'), async () => {
      if (confirm(t('outbox.confirmDelete'))) await sync.discard(item.clientId);
    }),
  );
  li.append(actions);
  return li;
}

export async function renderOutbox() {
  const items = await sync.list();
  const badge = $('outbox-badge');
  badge.hidden = items.length === 0;
  badge.textContent = formatNumber(items.length);
  badge.setAttribute('aria-label', t('outbox.count', { count: items.length }));
  $('outbox-count').textContent = items.length ? t('outbox.count', { count: items.length }) : t('outbox.empty');
  $('outbox-list').replaceChildren(...items.map(renderItem));
  const waiting = $('mine-waiting');
  waiting.hidden = items.length === 0;
  waiting.firstElementChild.textContent = t('mine.waiting', { count: items.length });
  return items;
}

export async function deliver({ force = false } = {}) {
  if (!navigator.onLine) return;
  await sync.flush({ force });
}

async function askForBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker?.ready;
    if (reg && 'sync' in reg) await reg.sync.register('observer-outbox');
  } catch {
    /* Background Sync is a bonus where the browser offers it; the page still retries itself */
  }
}

export function wireOutbox(handlers) {
  ({ onEdit, onSent } = handlers);
  $('outbox-send').addEventListener('click', () => deliver({ force: true }));
  if (typeof BroadcastChannel !== 'undefined') {
    new BroadcastChannel(sync.CHANNEL).addEventListener('message', (ev) => {
      renderOutbox();
      // Reports sent in the background (page timer, online event, service worker) are announced here;
      // the form announces the one it has just sent itself.
      if (ev.data?.sent) onSent(ev.data.sent);
    });
  }
  window.addEventListener('online', () => deliver({ force: true }));
  setInterval(() => deliver(), RETRY_EVERY_MS);
  document.addEventListener('languagechange', renderOutbox);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') deliver();
  });
  return { afterEnqueue: askForBackgroundSync };
}
