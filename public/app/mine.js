// "My reports": what the server holds for this observer: where each report stands in words, the commission's request
// for more information with its note, what the observer added since, and a form to add text or files to a sent report.
import { api, apiForm } from './api.js';
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
  const progress = r.progress ?? r.status;
  const status = el('span', { className: `status status-${progress}`, textContent: t(`progress.${progress}`) });
  const incident = r.incidentId
    ? el('code', { dir: 'ltr', textContent: r.incidentId.slice(0, 8), title: r.incidentId })
    : t('mine.noIncident');
  return el(
    'li',
    { className: 'item', dataset: { reportId: r.id, clientId: r.clientId } },
    el('div', { className: 'item-head' }, el('bdi', { className: 'where', textContent: where }), status),
    el('p', { className: 'hint progress-hint', textContent: t(`progressHint.${progress}`) }),
    r.infoRequest ? infoRequest(r.infoRequest) : null,
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
    thumbnails(r),
    r.additions?.length ? additions(r.additions) : null,
    addForm(r),
  );
}

function infoRequest(req) {
  return el(
    'div',
    { className: 'info-request', role: 'note' },
    el('strong', { textContent: t('mine.infoRequest', { when: formatDateTime(req.at) }) }),
    req.note ? el('p', { dir: 'auto', textContent: req.note }) : null,
  );
}

// Small previews of the photos (the server makes them), so the observer sees what was received.
function thumbnails(r) {
  const images = r.attachments.filter((a) => a.mime.startsWith('image/'));
  if (!images.length) return null;
  return el(
    'div',
    { className: 'thumbs' },
    ...images.map((a) =>
      el('img', {
        src: `${a.url}/thumbnail`,
        alt: t('mine.photo', { name: a.originalName }),
        loading: 'lazy',
        width: 64,
        height: 64,
      }),
    ),
  );
}

function additions(list) {
  return el(
    'ol',
    { className: 'additions', ariaLabel: t('mine.additions') },
    ...list.map((a) =>
      el(
        'li',
        {},
        el('span', {
          className: 'hint',
          textContent: t(a.answersRequest ? 'mine.answered' : 'mine.added', { when: formatDateTime(a.createdAt) }),
        }),
        a.text ? el('p', { dir: 'auto', textContent: a.text }) : null,
        a.attachments.length
          ? el('span', { className: 'hint', textContent: t('mine.attachments', { count: a.attachments.length }) })
          : null,
      ),
    ),
  );
}

// Text and files for a report already sent. Sent at once (online only): an answer is useful while it is asked for.
function addForm(r) {
  const id = `add-${r.id}`;
  const text = el('textarea', { id: `${id}-text`, name: 'text', rows: 3, dir: 'auto' });
  const files = el('input', { id: `${id}-files`, name: 'attachments', type: 'file', multiple: true });
  files.accept = 'image/*,application/pdf,video/mp4';
  const message = el('p', { className: 'note', role: 'status', ariaLive: 'polite' });
  const send = el('button', { type: 'submit', textContent: t('mine.addSend') });
  const form = el(
    'form',
    { className: 'add-form' },
    el('label', { htmlFor: text.id, textContent: t(r.infoRequest ? 'mine.answerText' : 'mine.addText') }),
    text,
    el('label', { htmlFor: files.id, textContent: t('mine.addFiles') }),
    files,
    send,
    message,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!navigator.onLine) {
      message.textContent = t('mine.addOffline');
      return;
    }
    const body = new FormData();
    if (text.value.trim()) body.append('text', text.value.trim());
    for (const f of files.files) body.append('attachments', f, f.name);
    send.disabled = true;
    message.textContent = t('mine.addSending');
    try {
      const { report } = await apiForm(`/api/reports/${r.id}/additions`, body);
      items = items.map((x) => (x.id === report.id ? report : x));
      render();
      document.querySelector(`[data-report-id="${report.id}"] .additions`)?.setAttribute('tabindex', '-1');
      document.querySelector(`[data-report-id="${report.id}"] .additions li:last-child`)?.scrollIntoView();
    } catch (err) {
      send.disabled = false;
      const issue = err?.body?.error?.issues?.[0];
      message.textContent = issue?.field === 'text' ? t('mine.addEmpty') : t('mine.addFailed');
    }
  });
  const details = el(
    'details',
    { className: 'add', open: Boolean(r.infoRequest) },
    el('summary', { textContent: t(r.infoRequest ? 'mine.answer' : 'mine.add') }),
    form,
  );
  return details;
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
