// Webhooks (admins): the registered endpoints (enable/disable, events, a new secret), a form to add one (its secret is
// shown once), and the deliveries, newest first, filtered by state (dead letters), each with its tries and a resend.
import { $, h, flash, listLoads } from './dom.js';
import { t, formatDateTime, formatNumber } from './i18n.js';
import {
  describeError,
  listWebhooks,
  webhookEvents,
  createWebhook,
  patchWebhook,
  rotateWebhookSecret,
  listDeliveries,
  getDelivery,
  resendDelivery,
} from './api.js';

let events = [];
let nextCursor = null;
let endpointFilter = null;
const deliveriesLoad = listLoads('deliveries-table');

const eventLabel = (e) => t(`event.${e.event ?? e}`, { fallback: e.description ?? e });

function showSecret(endpoint, secret) {
  $('webhook-secret-intro').textContent = t('webhooks.secretIntro', { url: endpoint.url });
  $('webhook-secret-value').textContent = secret;
  $('webhook-secret').hidden = false;
  $('webhook-secret-done').focus();
}

function eventChecks(name, chosen) {
  return events.map((e) =>
    h(
      'label',
      {},
      h('input', { type: 'checkbox', name, value: e.event, checked: chosen.includes(e.event) }),
      ' ',
      eventLabel(e),
      ' ',
      h('code', { dir: 'ltr' }, e.event),
    ),
  );
}

const checked = (root, name) => [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function endpointRow(e) {
  const act = (fn, done) => async () => {
    try {
      const result = await fn();
      if (done) done(result);
      await loadWebhooks();
    } catch (err) {
      flash(describeError(err, t), 'error');
    }
  };
  const form = h(
    'form',
    {
      class: 'terms-pick',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          const chosen = checked(ev.target, `events-${e.id}`);
          if (!chosen.length) return flash(t('webhooks.pickEvent'), 'error');
          act(
            () => patchWebhook(e.id, { events: chosen }),
            () => flash(t('webhooks.saved')),
          )();
        },
      },
    },
    eventChecks(`events-${e.id}`, e.events),
    h('button', { type: 'submit' }, t('webhooks.saveEvents')),
  );
  return h(
    'tr',
    { dataset: { id: e.id } },
    h(
      'td',
      {},
      h('code', { dir: 'ltr', class: 'url' }, e.url),
      e.description ? h('p', { class: 'note' }, e.description) : null,
    ),
    h(
      'td',
      {},
      h(
        'ul',
        { class: 'chips' },
        e.events.map((ev) => h('li', { dir: 'ltr' }, ev)),
      ),
      h('details', {}, h('summary', {}, t('webhooks.changeEvents')), form),
    ),
    h('td', {}, e.active ? t('webhooks.active') : t('webhooks.inactive')),
    h(
      'td',
      {},
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            on: {
              click: act(
                () => patchWebhook(e.id, { active: !e.active }),
                () => flash(t(e.active ? 'webhooks.disabled' : 'webhooks.enabled')),
              ),
            },
          },
          e.active ? t('webhooks.disable') : t('webhooks.enable'),
        ),
        h(
          'button',
          {
            type: 'button',
            on: {
              click: () =>
                window.confirm(t('webhooks.rotateConfirm')) &&
                act(
                  () => rotateWebhookSecret(e.id),
                  (r) => showSecret(r.endpoint, r.secret),
                )(),
            },
          },
          t('webhooks.rotate'),
        ),
        h(
          'button',
          {
            type: 'button',
            on: {
              click: () => {
                endpointFilter = e.id;
                loadDeliveries();
              },
            },
          },
          t('webhooks.showDeliveries'),
        ),
      ),
    ),
  );
}

function answerText(d) {
  if (d.lastStatusCode) return `HTTP ${d.lastStatusCode}`;
  return d.lastError ?? '–';
}

function detailRow(detail) {
  return h(
    'tr',
    { class: 'delivery-detail' },
    h(
      'td',
      { colspan: 7 },
      h('p', { class: 'note', dir: 'ltr' }, detail.eventId),
      h('pre', { class: 'json', dir: 'ltr' }, detail.body),
      h(
        'ol',
        { class: 'tries' },
        detail.tries.map((tr) =>
          h(
            'li',
            {},
            t('webhooks.try', {
              round: tr.round,
              attempt: tr.attempt,
              at: formatDateTime(tr.at),
              answer: tr.statusCode ? `HTTP ${tr.statusCode}` : (tr.error ?? '–'),
              ms: tr.durationMs,
            }),
          ),
        ),
      ),
    ),
  );
}

function deliveryRow(d) {
  const row = h(
    'tr',
    { dataset: { id: d.id, status: d.status } },
    h('td', {}, formatDateTime(d.createdAt)),
    h('td', { dir: 'ltr' }, d.event),
    h('td', {}, h('code', { dir: 'ltr', class: 'url' }, d.url)),
    h('td', {}, h('span', { class: `delivery delivery-${d.status}` }, t(`webhooks.status.${d.status}`))),
    h('td', { class: 'num' }, formatNumber(d.attempts)),
    h('td', { dir: 'ltr' }, answerText(d)),
    h(
      'td',
      {},
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            'aria-expanded': 'false',
            on: {
              click: async (ev) => {
                const button = ev.currentTarget;
                const open = row.nextElementSibling?.classList.contains('delivery-detail');
                if (open) row.nextElementSibling.remove();
                else {
                  try {
                    row.after(detailRow(await getDelivery(d.id)));
                  } catch (err) {
                    return flash(describeError(err, t), 'error');
                  }
                }
                button.setAttribute('aria-expanded', String(!open));
              },
            },
          },
          t('webhooks.details'),
        ),
        d.status === 'pending'
          ? null
          : h(
              'button',
              {
                type: 'button',
                on: {
                  click: async () => {
                    try {
                      await resendDelivery(d.id);
                      flash(t('webhooks.resent'));
                      await loadDeliveries();
                    } catch (err) {
                      flash(describeError(err, t), 'error');
                    }
                  },
                },
              },
              t('webhooks.resend'),
            ),
      ),
    ),
  );
  return row;
}

async function loadDeliveries(more = false) {
  const load = deliveriesLoad();
  const message = $('deliveries-message');
  message.textContent = t('queue.loading');
  try {
    const page = await listDeliveries({
      status: $('deliveries-status').value,
      endpointId: endpointFilter,
      cursor: more ? nextCursor : null,
    });
    if (!load.current()) return;
    nextCursor = page.nextCursor;
    const rows = page.items.map(deliveryRow);
    if (more) $('deliveries-rows').append(...rows);
    else $('deliveries-rows').replaceChildren(...rows);
    $('deliveries-more').hidden = !nextCursor;
    const shown = $('deliveries-rows').querySelectorAll('tr[data-id]').length;
    message.textContent = shown ? '' : t('webhooks.noDeliveries');
  } catch (err) {
    if (load.current()) message.textContent = describeError(err, t);
  } finally {
    load.end();
  }
}

export async function loadWebhooks() {
  $('webhooks-message').textContent = t('queue.loading');
  try {
    const [{ items: catalogue }, { items }] = await Promise.all([webhookEvents(), listWebhooks()]);
    events = catalogue;
    const picked = checked($('webhook-events'), 'events');
    $('webhook-events').replaceChildren(...eventChecks('events', picked));
    $('webhooks-rows').replaceChildren(...items.map(endpointRow));
    $('webhooks-message').textContent = items.length ? '' : t('webhooks.none');
  } catch (err) {
    $('webhooks-message').textContent = describeError(err, t);
  }
  await loadDeliveries();
}

export function wireWebhooks() {
  $('webhook-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const error = $('webhook-error');
    error.textContent = '';
    const chosen = checked($('webhook-events'), 'events');
    const url = $('webhook-url').value.trim();
    if (!url) return void (error.textContent = t('webhooks.needUrl'));
    if (!chosen.length) return void (error.textContent = t('webhooks.pickEvent'));
    const description = $('webhook-description').value.trim();
    try {
      const created = await createWebhook({ url, events: chosen, ...(description ? { description } : {}) });
      $('webhook-form').reset();
      await loadWebhooks();
      showSecret(created.endpoint, created.secret);
    } catch (err) {
      error.textContent = describeError(err, t);
    }
  });
  $('webhook-secret-done').addEventListener('click', () => {
    $('webhook-secret-value').textContent = '';
    $('webhook-secret').hidden = true;
  });
  $('deliveries-status').addEventListener('change', () => {
    endpointFilter = null;
    loadDeliveries();
  });
  $('deliveries-more').addEventListener('click', () => loadDeliveries(true));
}
