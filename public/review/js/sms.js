// SMS intake (admins): the inbound messages, by default those waiting for an admin (unknown number, not understood,
// refused), each retried or dismissed; and the observers' phone numbers, which decide whose report a text becomes.
import { $, h, flash, listLoads } from './dom.js';
import { t, formatDateTime } from './i18n.js';
import { describeError, listSms, listUsers, patchUser, smsAction } from './api.js';

let nextCursor = null;

function messageRow(m) {
  const act = (action, done) => async () => {
    try {
      const after = await smsAction(m.id, action);
      flash(t(done, { status: t(`sms.state.${after.status}`) }));
      await loadMessages();
    } catch (err) {
      flash(describeError(err, t), 'error');
    }
  };
  const held = !['accepted', 'dismissed'].includes(m.status);
  return h(
    'tr',
    { dataset: { id: m.id, status: m.status } },
    h('td', {}, formatDateTime(m.receivedAt)),
    h('td', { dir: 'ltr' }, m.sender, m.observer ? h('p', { class: 'note' }, m.observer) : null),
    h('td', { class: 'text', dir: 'auto' }, m.text),
    h(
      'td',
      {},
      t(`sms.state.${m.status}`),
      m.reason ? h('p', { class: 'note' }, t(`sms.problem.${m.reason}`, { fallback: m.reason })) : null,
    ),
    h('td', { dir: 'ltr' }, h('code', {}, m.receiptCode)),
    h(
      'td',
      {},
      h(
        'div',
        { class: 'actions' },
        held ? h('button', { type: 'button', on: { click: act('retry', 'sms.retried') } }, t('sms.retry')) : null,
        held ? h('button', { type: 'button', on: { click: act('dismiss', 'sms.dismissed') } }, t('sms.dismiss')) : null,
      ),
    ),
  );
}

const messagesLoad = listLoads('sms-table');

async function loadMessages(more = false) {
  const load = messagesLoad();
  const message = $('sms-message');
  message.textContent = t('queue.loading');
  try {
    const page = await listSms({ status: $('sms-status').value, cursor: more ? nextCursor : null });
    if (!load.current()) return;
    nextCursor = page.nextCursor;
    const rows = page.items.map(messageRow);
    if (more) $('sms-rows').append(...rows);
    else $('sms-rows').replaceChildren(...rows);
    $('sms-more').hidden = !nextCursor;
    message.textContent = $('sms-rows').children.length ? '' : t('sms.none');
  } catch (err) {
    if (load.current()) message.textContent = describeError(err, t);
  } finally {
    load.end();
  }
}

function phoneRow(u) {
  const id = `phone-${u.id}`;
  const input = h('input', {
    id,
    type: 'tel',
    value: u.phone ?? '',
    dir: 'ltr',
    autocomplete: 'off',
    placeholder: '+218',
  });
  return h(
    'tr',
    { dataset: { id: u.id } },
    h('td', {}, h('label', { for: id }, u.displayName || u.username)),
    h(
      'td',
      {},
      h(
        'form',
        {
          class: 'phone-form',
          on: {
            submit: async (ev) => {
              ev.preventDefault();
              const phone = input.value.trim();
              try {
                const { user } = await patchUser(u.id, { phone: phone || null });
                input.value = user.phone ?? '';
                flash(t(user.phone ? 'sms.phoneSaved' : 'sms.phoneRemoved', { name: u.username }));
              } catch (err) {
                flash(describeError(err, t), 'error');
              }
            },
          },
        },
        input,
        h('button', { type: 'submit' }, t('sms.save')),
      ),
    ),
  );
}

async function loadPhones() {
  $('phones-message').textContent = t('queue.loading');
  try {
    const observers = (await listUsers()).items.filter((u) => u.role === 'observer' && !u.disabled);
    $('phones-rows').replaceChildren(...observers.map(phoneRow));
    $('phones-message').textContent = observers.length ? '' : t('sms.noObservers');
  } catch (err) {
    $('phones-message').textContent = describeError(err, t);
  }
}

export async function loadSms() {
  await Promise.all([loadMessages(), loadPhones()]);
}

export function wireSms() {
  $('sms-status').addEventListener('change', () => loadMessages());
  $('sms-more').addEventListener('click', () => loadMessages(true));
}
