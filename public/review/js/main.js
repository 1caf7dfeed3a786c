// Commission pages entry: language, session and role check, the second step of signing in (code or enrollment),
// hash routes (#queue, #reports?<filters>, #incident/<id>, #map, #digests, #account; for admins #webhooks, #sms).
import { $, flash, showCarriedFlash } from './dom.js';
import { setLanguage, preferredLanguage, language, t } from './i18n.js';
import { forgetSession, logout, signIn, whoAmI, HttpError } from './api.js';
import { pendingRecoveryCodes, showEnrollment, wireSecondFactor } from './second-factor.js';
import { loadAccount, wireAccount } from './account.js';
import { wireFilters, onFiltersChange, showFilterMap, relabelFilters } from './filters.js';
import { wireQueue, loadQueue, relabelQueue, loadSavedQueueFilters } from './queue.js';
import { wireReports, loadReports, relabelReports } from './reports.js';
import { incidentChanged, incidentResync, openIncident, rerenderIncident } from './incident.js';
import { loadMap, mapChanged, relabelMapUpdated } from './mapview.js';
import { wireDigests, loadDigests } from './digests.js';
import { wireAuditLog, loadAuditLog, relabelAuditLog } from './audit-log.js';
import { loadAssignees } from './people.js';
import { wireAdmin, loadAdmin, relabelAdmin } from './admin.js';
import { startLive, stopLive, markUpdated, relabelLive } from './live.js';
import {
  notifyFrom,
  refreshNotifications,
  setNotificationUser,
  wireNotifications,
  render as renderNotifications,
} from './notifications.js';
import { loadWebhooks, wireWebhooks } from './webhooks.js';
import { loadSms, wireSms } from './sms.js';

const VIEWS = [
  'login',
  'second-factor',
  'enroll',
  'recovery',
  'forbidden',
  'queue',
  'reports',
  'incident',
  'map',
  'digests',
  'audit',
  'admin',
  'account',
  'webhooks',
  'sms',
];
const ROUTES = ['queue', 'reports', 'incident', 'map', 'digests', 'audit', 'admin', 'account'];
/** Pages only admins open; for others their routes lead to the queue. */
const ADMIN_ROUTES = ['webhooks', 'sms'];
const canReview = (u) => u?.role === 'commission' || u?.role === 'admin';
const isAdmin = (u) => u?.role === 'admin';
let user = null;
/** Half-way through signing in: 'verify' (a code is next) or 'enroll' (an authenticator is to be set up). */
let pending = null;

function parseRoute() {
  // #incident/<id>, or a view with its filters after "?" (#reports?place=Sirte&flagged=true).
  const [path, search = ''] = location.hash.slice(1).split('?');
  const [view, id] = path.split('/');
  // The administration page is for admins; anyone else asking for it gets the queue (and the API refuses them).
  const known =
    (ROUTES.includes(view) && (view !== 'admin' || isAdmin(user))) || (isAdmin(user) && ADMIN_ROUTES.includes(view));
  return { view: known ? view : 'queue', id, search };
}

function show(target) {
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== target;
  const inside = canReview(user) && target !== 'recovery';
  $('nav').hidden = !inside;
  $('nav-admin').hidden = !isAdmin(user);
  for (const a of document.querySelectorAll('#nav a[data-admin]')) a.hidden = !isAdmin(user);
  $('logout').hidden = !user && !pending;
  $('whoami').hidden = !user;
  $('whoami').textContent = user ? t('auth.signedInAs', { name: user.displayName || user.username }) : '';
  $('notif-button').hidden = !inside;
  // The filters serve the queue and the map; elsewhere they would only take room.
  $('filters-panel').hidden = !(inside && (target === 'queue' || target === 'map'));
  document.body.dataset.view = target;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === target || (target === 'incident' && a.dataset.view === 'queue'))
      a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route() {
  if (pendingRecoveryCodes().length) {
    show('recovery');
    $('recovery-continue').focus();
    return;
  }
  if (!user && pending === 'verify') {
    show('second-factor');
    $('twofa-code').focus();
    return;
  }
  if (!user && pending === 'enroll') {
    show('enroll');
    await showEnrollment();
    return;
  }
  if (!user) {
    show('login');
    return;
  }
  if (!canReview(user)) {
    show('forbidden');
    return;
  }
  const { view, id, search } = parseRoute();
  show(view);
  if (view === 'queue' || view === 'map') {
    showFilterMap();
    loadSavedQueueFilters();
  }
  if (view === 'queue') await loadQueue();
  if (view === 'reports') await loadReports(search);
  if (view === 'incident') await openIncident(id);
  if (view === 'map') await loadMap();
  if (view === 'digests') await loadDigests();
  if (view === 'audit') await loadAuditLog();
  if (view === 'admin') await loadAdmin(user);
  if (view === 'account') await loadAccount({ onSignedOut: signedOut });
  if (view === 'webhooks') await loadWebhooks();
  if (view === 'sms') await loadSms();
  if (document.activeElement === document.body || document.activeElement?.closest?.('#nav')) $('main').focus();
}

/** The live stream and the notifications follow who is signed in. */
function goLive() {
  if (!canReview(user)) {
    stopLive();
    setNotificationUser(null);
    return;
  }
  setNotificationUser(user);
  startLive({
    onEvents: (events) => {
      notifyFrom(events);
      // An open incident page follows its incident at once (keeping what the reader types).
      incidentChanged(events, user);
    },
    // The queue or the map on screen updates itself; other views load fresh when opened.
    onChange: async (events) => {
      // Reconnected: events may have been missed; the incident page and the inbox read again.
      if (!events.length) {
        incidentResync();
        refreshNotifications();
      }
      if (!$('view-map').hidden) await mapChanged(events);
      if ($('view-queue').hidden) return;
      await loadQueue({ refresh: true });
      markUpdated();
    },
  });
}

async function signedIn(u) {
  user = u;
  pending = null;
  if (canReview(user)) loadAssignees().then(relabelQueue);
  goLive();
  await route();
}

async function signedOut() {
  forgetSession();
  stopLive();
  setNotificationUser(null);
  user = null;
  pending = null;
  flash('');
  await route();
}

function wireLogin() {
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = $('login-error');
    err.textContent = '';
    try {
      const body = await signIn($('username').value.trim(), $('password').value);
      $('password').value = '';
      if (body.secondFactor) {
        pending = body.secondFactor;
        await route();
        return;
      }
      await signedIn(body.user);
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) err.textContent = t('login.failed');
      else if (e instanceof HttpError && e.status === 429) err.textContent = t('login.rateLimited');
      else err.textContent = t('login.error');
    }
  });
  $('logout').addEventListener('click', async () => {
    try {
      await logout();
    } catch {
      /* the session may already be gone; forget it here all the same */
    }
    await signedOut();
  });
  wireSecondFactor({
    onSignedIn: signedIn,
    // Enrolled and signed in: the recovery codes are shown first, once.
    onRecoveryCodes: async (u) => {
      user = u;
      pending = null;
      await route();
    },
    onDone: () => signedIn(user),
    onCancel: async () => {
      try {
        await logout();
      } catch {
        /* expired already */
      }
      await signedOut();
    },
  });
  wireAccount({ onSignedOut: signedOut });
}

async function start() {
  await setLanguage(preferredLanguage());
  wireLogin();
  wireFilters();
  wireQueue();
  wireReports();
  wireDigests();
  wireAuditLog();
  wireAdmin();
  wireNotifications();
  wireWebhooks();
  wireSms();
  onFiltersChange(() => {
    const { view } = parseRoute();
    if (view === 'map') loadMap();
    else loadQueue();
  });
  $('lang').addEventListener('click', () => setLanguage(language() === 'ar' ? 'en' : 'ar'));
  document.addEventListener('languagechange', () => {
    $('lang').lang = language() === 'ar' ? 'en' : 'ar';
    relabelFilters();
    relabelQueue();
    relabelReports();
    rerenderIncident();
    if (!$('view-digests').hidden) loadDigests();
    relabelAuditLog();
    relabelAdmin();
    relabelLive();
    relabelMapUpdated();
    renderNotifications();
    if (!$('view-account').hidden) loadAccount({ onSignedOut: signedOut });
    if (!$('view-webhooks').hidden) loadWebhooks();
    if (!$('view-sms').hidden) loadSms();
    show(document.body.dataset.view || 'login');
  });
  window.addEventListener('hashchange', () => {
    flash('');
    showCarriedFlash();
    route();
  });
  try {
    const who = await whoAmI();
    user = who?.user ?? null;
    pending = who?.pending ?? null;
  } catch {
    user = null;
  }
  if (canReview(user)) loadAssignees().then(relabelQueue);
  goLive();
  await route();
  document.body.dataset.ready = 'true';
}

start();
