// Observer app entry: language, session, views (#report, #mine, #odk, #outbox) and the service worker.
import { setLanguage, preferredLanguage, language, t } from './i18n.js';
import { login, logout, me, HttpError } from './api.js';
import { wireForm, loadIntoForm, resetForm } from './form.js';
import { wireMine, loadMine } from './mine.js';
import { wireOdk } from './odk.js';
import { wireOutbox, renderOutbox, deliver } from './outbox.js';

const $ = (id) => document.getElementById(id);
const USER_KEY = 'observer.user';
const VIEWS = ['report', 'mine', 'odk', 'outbox'];
let user = null;

// Kept as a key so the message follows a language switch.
let flashed = null;
function flash(key, params) {
  flashed = key ? { key, params } : null;
  const el = $('flash');
  el.textContent = key ? t(key, params) : '';
  el.hidden = !key;
}

function showNet() {
  const online = navigator.onLine;
  $('net').textContent = t(online ? 'net.online' : 'net.offline');
  $('net').classList.toggle('offline', !online);
}

function showUser() {
  $('whoami').hidden = !user;
  // Only the name fits a phone's header; the full sentence is the tooltip.
  $('whoami').textContent = user ? user.displayName || user.username : '';
  $('whoami').title = user ? t('auth.signedInAs', { name: user.displayName || user.username }) : '';
}

function show(view) {
  const signedIn = Boolean(user);
  const target = signedIn ? (VIEWS.includes(view) ? view : 'report') : 'login';
  for (const v of ['login', ...VIEWS]) $(`view-${v}`).hidden = v !== target;
  $('nav').hidden = !signedIn;
  $('logout').hidden = !signedIn;
  showUser();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === target) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (target === 'mine') loadMine();
  if (target === 'outbox' || target === 'mine') renderOutbox();
  return target;
}

function route() {
  const target = show(location.hash.slice(1));
  // Move focus to the new view's heading region so keyboard and screen-reader users land on it.
  if (document.activeElement?.closest?.('#nav')) $('main').focus();
  return target;
}

function signedIn(u) {
  user = u;
  localStorage.setItem(USER_KEY, JSON.stringify(u));
  route();
  deliver({ force: true });
}

function wireLogin() {
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = $('login-error');
    err.textContent = '';
    if (!navigator.onLine) {
      err.textContent = t('login.offline');
      return;
    }
    try {
      signedIn(await login($('username').value.trim(), $('password').value));
      $('password').value = '';
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) err.textContent = t('login.failed');
      else if (e instanceof HttpError && e.body?.error?.code === 'use_review') err.textContent = t('login.useReview');
      else if (e instanceof HttpError && e.status === 429) {
        err.textContent = t('login.rateLimited', { minutes: Math.max(1, Math.ceil((e.retryAfterSeconds ?? 60) / 60)) });
      } else err.textContent = t(navigator.onLine ? 'login.error' : 'login.offline');
    }
  });
  $('logout').addEventListener('click', async () => {
    try {
      await logout();
    } catch {
      /* offline: forget the session locally all the same */
    }
    user = null;
    localStorage.removeItem(USER_KEY);
    resetForm();
    route();
  });
}

async function restoreSession() {
  try {
    return await me();
  } catch {
    // No connection: trust the last signed-in observer so reports can still be written and kept for later.
    const cached = localStorage.getItem(USER_KEY);
    return cached ? JSON.parse(cached) : null;
  }
}

async function start() {
  await setLanguage(preferredLanguage());
  $('lang').addEventListener('click', () => setLanguage(language() === 'ar' ? 'en' : 'ar'));
  document.addEventListener('languagechange', () => {
    $('lang').lang = language() === 'ar' ? 'en' : 'ar';
    showNet();
    showUser();
    if (flashed) flash(flashed.key, flashed.params);
  });
  showNet();
  window.addEventListener('online', showNet);
  window.addEventListener('offline', showNet);
  window.addEventListener('hashchange', route);

  const outbox = wireOutbox({
    onEdit(item) {
      loadIntoForm(item);
      location.hash = '#report';
    },
    onSent(count) {
      flash('outbox.sentSome', { count });
      if (!$('view-mine').hidden) loadMine();
    },
  });
  wireForm({
    observer: () => user,
    onDone(result) {
      flash(result === 'sent' ? 'form.sent' : result === 'conflict' ? 'form.conflict' : 'form.saved');
      renderOutbox();
      if (result === 'saved') outbox.afterEnqueue();
      $('flash').scrollIntoView({ block: 'nearest' });
    },
  });
  wireMine();
  wireOdk();
  wireLogin();

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch((err) => console.warn('service worker not registered', err));
  }

  const u = await restoreSession();
  if (u) signedIn(u);
  else route();
  renderOutbox();
  document.body.dataset.ready = 'true';
}

start();
