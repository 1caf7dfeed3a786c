// Commission pages entry: language, session and role check, hash routes (#queue, #incident/<id>, #map, #digests).
import { $, flash } from './dom.js';
import { setLanguage, preferredLanguage, language, t } from './i18n.js';
import { login, logout, me, HttpError } from './api.js';
import { wireFilters, onFiltersChange, showFilterMap, relabelFilters } from './filters.js';
import { wireQueue, loadQueue, relabelQueue } from './queue.js';
import { openIncident, rerenderIncident } from './incident.js';
import { loadMap } from './mapview.js';
import { wireDigests, loadDigests } from './digests.js';
import { loadAssignees } from './people.js';

const VIEWS = ['login', 'forbidden', 'queue', 'incident', 'map', 'digests'];
const canReview = (u) => u?.role === 'commission' || u?.role === 'admin';
let user = null;

function parseRoute() {
  const [view, id] = location.hash.slice(1).split('/');
  return { view: VIEWS.includes(view) && view !== 'login' && view !== 'forbidden' ? view : 'queue', id };
}

function show(target) {
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== target;
  const inside = canReview(user);
  $('nav').hidden = !inside;
  $('logout').hidden = !user;
  $('whoami').hidden = !user;
  $('whoami').textContent = user ? t('auth.signedInAs', { name: user.displayName || user.username }) : '';
  // The filters serve the queue and the map; elsewhere they would only take room.
  $('filters-panel').hidden = !(inside && (target === 'queue' || target === 'map'));
  document.body.dataset.view = target;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === target || (target === 'incident' && a.dataset.view === 'queue')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route() {
  if (!user) { show('login'); return; }
  if (!canReview(user)) { show('forbidden'); return; }
  const { view, id } = parseRoute();
  show(view);
  if (view === 'queue' || view === 'map') showFilterMap();
  if (view === 'queue') await loadQueue();
  if (view === 'incident') await openIncident(id);
  if (view === 'map') await loadMap();
  if (view === 'digests') await loadDigests();
  if (document.activeElement === document.body || document.activeElement?.closest?.('#nav')) $('main').focus();
}

function wireLogin() {
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = $('login-error');
    err.textContent = '';
    try {
      user = await login($('username').value.trim(), $('password').value);
      $('password').value = '';
      if (canReview(user)) loadAssignees().then(relabelQueue);
      await route();
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) err.textContent = t('login.failed');
      else if (e instanceof HttpError && e.status === 429) err.textContent = t('login.rateLimited');
      else err.textContent = t('login.error');
    }
  });
  $('logout').addEventListener('click', async () => {
    try { await logout(); } catch { /* the session may already be gone; forget it here all the same */ }
    user = null;
    flash('');
    await route();
  });
}

async function start() {
  await setLanguage(preferredLanguage());
  wireLogin();
  wireFilters();
  wireQueue();
  wireDigests();
  onFiltersChange(() => { const { view } = parseRoute(); if (view === 'map') loadMap(); else loadQueue(); });
  $('lang').addEventListener('click', () => setLanguage(language() === 'ar' ? 'en' : 'ar'));
  document.addEventListener('languagechange', () => {
    $('lang').lang = language() === 'ar' ? 'en' : 'ar';
    relabelFilters();
    relabelQueue();
    rerenderIncident();
    if (!$('view-digests').hidden) loadDigests();
    show(document.body.dataset.view || 'login');
  });
  window.addEventListener('hashchange', () => { flash(''); route(); });
  try { user = await me(); } catch { user = null; }
  if (canReview(user)) loadAssignees().then(relabelQueue);
  await route();
  document.body.dataset.ready = 'true';
}

start();
