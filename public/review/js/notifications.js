// In-app notifications in the page header: an incident assigned to me, or a severe one (severity 4 or more) opened
// or grown severe. Built from the live incident events (live.js); kept per user in this browser (localStorage), read
// or unread, newest first.
import { $, h } from './dom.js';
import { t, formatDateTime, formatNumber } from './i18n.js';
import { shortId } from './history.js';

export const SEVERE = 4;
const MAX_KEPT = 50;
const SEVERE_KINDS = new Set(['opened', 'joined', 'reprocessed', 'corrected', 'split', 'merged']);

let me = null;
let items = [];

const storageKey = () => `review.notifications.${me.id}`;
function save() {
  localStorage.setItem(storageKey(), JSON.stringify(items.slice(0, MAX_KEPT)));
}
function load() {
  try {
    const stored = JSON.parse(localStorage.getItem(storageKey()) ?? '[]');
    items = Array.isArray(stored) ? stored : [];
  } catch {
    items = [];
  }
}

/** The notifications these events bring for the signed-in member. */
export function notifyFrom(events) {
  if (!me) return;
  let added = false;
  for (const e of events) {
    if (e.mergedIntoId) continue;
    if (e.kind === 'assigned' && e.assigneeId === me.id) {
      // One unread notice per incident assigned: a second event for the same assignment adds nothing.
      if (!items.some((n) => n.kind === 'assigned' && n.incidentId === e.incidentId && !n.read)) {
        items.unshift({
          kind: 'assigned',
          incidentId: e.incidentId,
          severity: e.severity,
          at: Date.now(),
          read: false,
        });
        added = true;
      }
    }
    if (e.severity >= SEVERE && SEVERE_KINDS.has(e.kind)) {
      if (!items.some((n) => n.kind === 'severe' && n.incidentId === e.incidentId)) {
        items.unshift({ kind: 'severe', incidentId: e.incidentId, severity: e.severity, at: Date.now(), read: false });
        added = true;
      }
    }
  }
  if (added) {
    save();
    render();
  }
}

function markRead(which) {
  for (const n of items) if (which === 'all' || n === which) n.read = true;
  save();
  render();
}

function setOpen(open) {
  $('notif-panel').hidden = !open;
  $('notif-button').setAttribute('aria-expanded', String(open));
}

// The short id is Latin inside Arabic text: isolated (LRI … PDI) so "#4f2a1b3c" keeps its order.
const idText = (id) => `\u2066#${shortId(id)}\u2069`;

function entry(n) {
  const text =
    n.kind === 'assigned'
      ? t('notif.assigned', { id: idText(n.incidentId) })
      : t('notif.severe', { id: idText(n.incidentId), severity: formatNumber(n.severity) });
  return h(
    'li',
    { class: n.read ? 'notif read' : 'notif unread', dataset: { kind: n.kind, incident: n.incidentId } },
    h(
      'a',
      {
        href: `#incident/${n.incidentId}`,
        on: {
          click: () => {
            markRead(n);
            setOpen(false);
          },
        },
      },
      h('span', { class: 'notif-text' }, text),
      ' ',
      h('time', { datetime: new Date(n.at).toISOString() }, formatDateTime(n.at)),
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
  const unread = items.filter((n) => !n.read).length;
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
  me = user;
  items = [];
  if (me) load();
  render();
}

export function wireNotifications() {
  $('notif-button').addEventListener('click', () => setOpen($('notif-panel').hidden));
  $('notif-mark-all').addEventListener('click', () => markRead('all'));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !$('notif-panel').hidden) {
      setOpen(false);
      $('notif-button').focus();
    }
  });
  render();
}
