// "My reports": what the server holds for this observer, with its processing state and the incident it joined.
import { api } from './api.js';
import { t, formatDateTime } from './i18n.js';

const $ = (id) => document.getElementById(id);
let nextCursor = null;
let items = [];

function el(tag, { dataset, ...attrs } = {}, ...children) {
  const e = Object.assign(document.createElement(tag), attrs);
  Object.assign(e.dataset, dataset);
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

function row(label, value) {
  return el('div', { className: 'kv' }, el('dt', { textContent: label }), el('dd', {}, value));
}

function renderReport(r) {
  const where =
    r.placeName ||
    r.resolvedPlace ||
    (r.lat !== null && r.lon !== null ? `${r.lat.toFixed(4)}, ${r.lon.toFixed(4)}` : '');
  const narrative = el('p', { className: 'narrative', dir: 'auto', textContent: r.narrative });
  const status = el('span', { className: `status status-${r.status}`, textContent: t(`status.${r.status}`) });
  const incident = r.incidentId
    ? el('code', { dir: 'ltr', textContent: r.incidentId.slice(0, 8), title: r.incidentId })
    : t('mine.noIncident');
  return el(
    'li',
    { className: 'item', dataset: { reportId: r.id, clientId: r.clientId } },
    el('div', { className: 'item-head' }, el('bdi', { className: 'where', textContent: where }), status),
    narrative,
    el(
      'dl',
      {},
      row(t('mine.observed'), formatDateTime(r.observedAt)),
      row(t('mine.received'), formatDateTime(r.receivedAt)),
      row(t('mine.incident'), incident),
    ),
    r.status === 'failed' && r.failureReason
      ? el('p', { className: 'error', dir: 'auto', textContent: r.failureReason })
      : null,
    r.attachments.length
      ? el('p', { className: 'hint', textContent: t('mine.attachments', { count: r.attachments.length }) })
      : null,
  );
}

function render() {
  $('mine-list').replaceChildren(...items.map(renderReport));
  $('mine-more').hidden = !nextCursor;
  if (!items.length && !$('mine-message').textContent) $('mine-message').textContent = t('mine.empty');
}

export async function loadMine({ more = false } = {}) {
  const message = $('mine-message');
  message.textContent = '';
  if (!navigator.onLine) {
    message.textContent = t('mine.offline');
    return;
  }
  try {
    const q = new URLSearchParams({ limit: '20' });
    if (more && nextCursor) q.set('cursor', nextCursor);
    const page = await api(`/api/reports?${q}`);
    items = more ? [...items, ...page.items] : page.items;
    nextCursor = page.nextCursor ?? null;
  } catch (err) {
    console.error(err);
    message.textContent = t(navigator.onLine ? 'mine.error' : 'mine.offline');
  }
  render();
}

export function wireMine() {
  $('mine-refresh').addEventListener('click', () => loadMine());
  $('mine-more').addEventListener('click', () => loadMine({ more: true }));
  document.addEventListener('languagechange', () => {
    $('mine-message').textContent = '';
    render();
  });
}
