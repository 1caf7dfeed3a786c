// "My reports": what the server holds for this observer: where each report stands in words, the commission's request
// for more information with its note, what the observer added since, and a form to add text or files to a sent report.
import { api, sync } from './api.js';
import { t, formatBytes, formatDateTime } from './i18n.js';

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
// Each file goes first as a resumable upload in chunks (the outbox's uploader), then the addition cites them by id: on
// a weak link a drop costs one chunk, and Send again goes on from the bytes the server holds.
function addForm(r) {
  const id = `add-${r.id}`;
  const text = el('textarea', { id: `${id}-text`, name: 'text', rows: 3, dir: 'auto' });
  const files = el('input', { id: `${id}-files`, name: 'attachments', type: 'file', multiple: true });
  files.accept = 'image/*,application/pdf,video/mp4';
  const message = el('p', { className: 'note', role: 'status', ariaLive: 'polite' });
  const send = el('button', { type: 'submit', textContent: t('mine.addSend') });
  // Where each chosen file's upload got to, while the page is open: the next Send resumes it.
  const held = new Map();
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
    const chosen = [...files.files];
    const said = text.value.trim();
    if (!said && !chosen.length) {
      message.textContent = t('mine.addEmpty');
      return;
    }
    send.disabled = true;
    message.textContent = t('mine.addSending');
    const total = chosen.reduce((n, f) => n + f.size, 0);
    const done = (upTo) => chosen.slice(0, upTo).reduce((n, f) => n + f.size, 0);
    try {
      const uploadIds = [];
      for (const [i, f] of chosen.entries()) {
        const keep = (h) => (h ? held.set(f, h) : held.delete(f));
        const showProgress = (offset) => {
          message.textContent = t('mine.addProgress', {
            sent: formatBytes(done(i) + offset),
            total: formatBytes(total),
          });
        };
        uploadIds.push(await sync.uploadFile(f, f.name, held.get(f) ?? null, keep, `attachments[${i}]`, showProgress));
      }
      const json = { ...(said ? { text: said } : {}), ...(uploadIds.length ? { uploadIds } : {}) };
      const { report } = await api(`/api/reports/${r.id}/additions`, { method: 'POST', json });
      held.clear();
      items = items.map((x) => (x.id === report.id ? report : x));
      render();
      document.querySelector(`[data-report-id="${report.id}"] .additions`)?.setAttribute('tabindex', '-1');
      document.querySelector(`[data-report-id="${report.id}"] .additions li:last-child`)?.scrollIntoView();
    } catch (err) {
      send.disabled = false;
      const issues = err?.outcome?.issues ?? err?.body?.error?.issues ?? [];
      // An upload swept meanwhile is sent again from the start by the next Send.
      if (issues.some((x) => x.reason === 'no such upload')) held.clear();
      const file = issues.find((x) => /^(attachments|uploadIds)\[\d+\]/.test(x.field));
      const index = file ? Number(/\[(\d+)\]/.exec(file.field)[1]) : -1;
      if (issues[0]?.field === 'text') message.textContent = t('mine.addEmpty');
      else if (file && chosen[index] && file.reason !== 'no such upload')
        message.textContent = t('mine.addFileRefused', { name: chosen[index].name, reason: file.reason });
      else message.textContent = t('mine.addFailed');
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
