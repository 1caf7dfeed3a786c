// The account page: who is signed in, the second factor's state, and the browser sessions of the account, each of
// which can be signed out, with "all other sessions" and "everywhere" at once; and whether the account's notices are
// emailed, in which language (the address is an admin's to set).
import { $, h, flash } from './dom.js';
import { t, formatDateTime, label } from './i18n.js';
import { api, describeError, endSession, endSessions, listSessions, whoAmI } from './api.js';

async function loadNoticeSettings() {
  try {
    const settings = await api('/api/notifications/settings');
    $('notice-email').textContent = settings.email
      ? t('account.noticeEmail', { email: `\u2066${settings.email}\u2069` })
      : t('account.noticeNoEmail');
    $('notice-email-on').checked = settings.emailNotifications;
    $('notice-language').value = settings.language ?? '';
  } catch (err) {
    $('notice-email').textContent = describeError(err, t);
  }
}

function browserText(s) {
  if (s.browser && s.os) return t('account.browserOn', { browser: s.browser, os: s.os });
  return s.browser || s.os || t('account.unknownBrowser');
}

function row(s, onEnd) {
  const name = browserText(s);
  return h(
    'tr',
    { dataset: { id: s.id }, class: s.current ? 'current' : undefined },
    h(
      'td',
      {},
      name,
      s.current ? h('span', { class: 'badge' }, t('account.current')) : null,
      s.secondFactorPending ? h('span', { class: 'badge pending' }, t('account.pending')) : null,
    ),
    h('td', { dir: 'ltr' }, s.ip ?? '–'),
    h('td', {}, formatDateTime(s.createdAt)),
    h('td', {}, formatDateTime(s.lastSeenAt)),
    h(
      'td',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'end-session',
          'aria-label': t('account.endLabel', { browser: name, address: s.ip ?? '–' }),
          on: { click: () => onEnd(s) },
        },
        t('account.end'),
      ),
    ),
  );
}

/** `onSignedOut()` when this browser's own session was ended. */
export async function loadAccount({ onSignedOut }) {
  $('sessions-message').textContent = t('queue.loading');
  loadNoticeSettings();
  try {
    const [who, { items }] = await Promise.all([whoAmI(), listSessions()]);
    const user = who?.user;
    if (!user) {
      await onSignedOut();
      return;
    }
    $('account-user').textContent = t('account.user', {
      name: user.displayName || user.username,
      role: label('role', user.role),
    });
    $('account-twofa').textContent = who.secondFactor
      ? t('account.twofa', {
          date: formatDateTime(who.secondFactor.enrolledAt),
          count: who.secondFactor.recoveryCodesLeft,
        })
      : t('account.twofaOff');
    const end = async (s) => {
      try {
        await endSession(s.id);
        if (s.current) {
          await onSignedOut();
          return;
        }
        flash(t('account.ended', { count: 1 }));
        await loadAccount({ onSignedOut });
      } catch (err) {
        flash(describeError(err, t), 'error');
      }
    };
    $('sessions-rows').replaceChildren(...items.map((s) => row(s, end)));
    $('sessions-message').textContent = items.length <= 1 ? t('account.onlyThis') : '';
    $('sessions-end-others').disabled = items.length <= 1;
  } catch (err) {
    $('sessions-message').textContent = describeError(err, t);
  }
}

export function wireAccount({ onSignedOut }) {
  $('notice-settings-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('/api/notifications/settings', {
        method: 'PATCH',
        json: { emailNotifications: $('notice-email-on').checked, language: $('notice-language').value || null },
      });
      flash(t('account.noticesSaved'));
    } catch (err) {
      flash(describeError(err, t), 'error');
    }
    await loadNoticeSettings();
  });
  $('sessions-end-others').addEventListener('click', async () => {
    try {
      const { ended } = await endSessions('others');
      flash(t('account.ended', { count: ended }));
      await loadAccount({ onSignedOut });
    } catch (err) {
      flash(describeError(err, t), 'error');
    }
  });
  $('sessions-end-all').addEventListener('click', async () => {
    if (!window.confirm(t('account.endAllConfirm'))) return;
    try {
      const { ended } = await endSessions('all');
      await onSignedOut();
      flash(t('account.ended', { count: ended }));
    } catch (err) {
      flash(describeError(err, t), 'error');
    }
  });
}
