// In-app notifications in the page header: the signed-in member's inbox on the server (GET /api/notifications), an
// incident assigned to me, a severe one (severity 4 or more) opened or grown severe, an observer's answer or addition
// on an incident I hold. The server writes them when the fact happens, so a member who was away finds them on the
// next load; the live incident events (live.js) only tell the page to read the inbox again. Read/unread is the
// server's too, the same in every browser.
import { $, h } from './dom.js';
import { t, formatDateTime, formatNumber } from './i18n.js';
import { shortId } from './history.js';
import { api } from './api.js';

export const SEVERE = 4;
const PAGE = 50;
// Events after which the inbox may hold something new for me: an assignment to me, an incident severe after it,
// an observer's addition, edit (or answer, which changes the state) on an incident I hold. Others leave the inbox alone.
const SEVERE_KINDS = new Set(['opened', 'joined', 'reprocessed', 'edited', 'corrected', 'split', 'merged']);
const mayNotify = (e) =>
  (e.kind === 'assigned' && e.assigneeId === me.id) ||
  (SEVERE_KINDS.has(e.kind) && e.severity >= SEVERE) ||
  ((e.kind === 'added' || e.kind === 'edited' || e.kind === 'state') && e.assigneeId === me.id);

let me = null;
let items = [];
let unread = 0;
let ticket = 0;
let timer = null;

/** Reads the inbox again; an answer that arrives after a later request's is dropped. */
export async function refreshNotifications() {
  if (!me) return;
  const mine = ++ticket;
  const user = me;
  try {
    const page = await api(`/api/notifications?limit=${PAGE}`);
    if (mine !== ticket || me !== user) return;
    items = page.items;
    unread = page.unread;
  } catch {
    // Signed out or the server away: the bell keeps what it showed, and the next event or load reads again.
    return;
  }
  render();
}

/** The live events: those that may have brought a notice make the inbox be read again (once per burst). */
export function notifyFrom(events) {
  if (!me || !events.some(mayNotify)) return;
  clearTimeout(timer);
  timer = setTimeout(refreshNotifications, 150);
}

async function markRead(which) {
  // Shown read at once; the server's answer (the inbox read again) settles it.
  const now = new Date().toISOString();
  for (const n of items)
    if ((which === 'all' || n === which) && !n.read) {
      n.read = true;
      n.readAt = now;
      unread = Math.max(0, unread - 1);
    }
  ticket += 1;
  render();
  try {
    if (which === 'all') await api('/api/notifications/read-all', { method: 'POST' });
    else await api(`/api/notifications/${encodeURIComponent(which.id)}/read`, { method: 'POST' });
  } catch {
    /* the next read of the inbox shows what the server holds */
  }
  await refreshNotifications();
}

function setOpen(open) {
  $('notif-panel').hidden = !open;
  $('notif-button').setAttribute('aria-expanded', String(open));
}

// The short id is Latin inside Arabic text: isolated (LRI … PDI) so "#4f2a1b3c" keeps its order.
const idText = (id) => `\u2066#${shortId(id)}\u2069`;

function textOf(n) {
  const id = idText(n.incidentId);
  if (n.kind === 'severe') return t('notif.severe', { id, severity: formatNumber(n.severity) });
  return t(`notif.${n.kind}`, { id });
}

function entry(n) {
  return h(
    'li',
    {
      class: n.read ? 'notif read' : 'notif unread',
      dataset: { kind: n.kind, incident: n.incidentId, id: n.id },
    },
    h(
      'a',
      {
        href: `#incident/${n.incidentId}`,
        on: {
          click: () => {
            setOpen(false);
            markRead(n);
          },
        },
      },
      h('span', { class: 'notif-text' }, textOf(n)),
      ' ',
      h('time', { datetime: n.createdAt }, formatDateTime(n.createdAt)),
      n.read ? null : h('span', { class: 'visually-hidden' }, ` (${t('notif.unread')})`),
    ),
  );
}

export function render() {
  const button = $('notif-button');
  if (!me) {
    button.hidden = true;
    setOpen(false);
    return;
  }
  button.hidden = false;
  $('notif-count').textContent = formatNumber(unread);
  $('notif-count').hidden = unread === 0;
  button.setAttribute('aria-label', t('notif.buttonLabel', { count: unread }));
  $('notif-label').textContent = t('notif.button');
  $('notif-title').textContent = t('notif.title');
  $('notif-mark-all').textContent = t('notif.markAll');
  $('notif-mark-all').disabled = unread === 0;
  $('notif-list').replaceChildren(
    ...(items.length ? items.map(entry) : [h('li', { class: 'notif empty' }, t('notif.empty'))]),
  );
}

/** Signed in (a user) or out (null). */
export function setNotificationUser(user) {
  const same = me && user && me.id === user.id;
  // What the bell kept in this browser before the server had an inbox.
  if (user) localStorage.removeItem(`review.notifications.${user.id}`);
  me = user;
  if (!same) {
    items = [];
    unread = 0;
    ticket += 1;
  }
  render();
  if (me) refreshNotifications();
}

export function wireNotifications() {
  $('notif-button').addEventListener('click', () => {
    const open = $('notif-panel').hidden;
    setOpen(open);
    // Opening the bell shows what the server holds now, whatever the stream missed.
    if (open) refreshNotifications();
  });
  $('notif-mark-all').addEventListener('click', () => markRead('all'));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !$('notif-panel').hidden) {
      setOpen(false);
      $('notif-button').focus();
    }
  });
  render();
}
