// Administration for admins: the accounts (create one, change its role, disable or enable it, see its API tokens and
// revoke one, make an observer's ODK Collect setup code), and the jobs that failed after their last retry (each sent
// back for another round).
// Every change goes through the API, which audits it; a refusal is shown in the words of the API's problem details.
import { $, h, flash } from './dom.js';
import { t, label, formatDateTime } from './i18n.js';
import {
  createUser,
  describeError,
  failedJobs,
  HttpError,
  listUsers,
  observerOdkSetup,
  patchUser,
  resetSecondFactor,
  resetPassword,
  retryJob,
  revokeUserToken,
  userTokens,
} from './api.js';

const ROLES = ['observer', 'commission', 'admin'];
/** `tokensOf`: the account whose tokens are shown (the admin's own until another is picked). */
const view = { users: [], jobs: [], tokens: [], me: null, tokensOf: null };
/** The setup code on screen ({ user, setup }), kept only while shown: it is a key to the observer's account. */
let odk = null;
const nameOf = (u) => u.displayName || u.username;

/**
 * A refusal in words: each field the API's problem details name, with the page's own wording of that field's rule
 * (the API's reason when the page has none); a taken username said in the page's language; else the API's message.
 */
export function problemWords(err, { username } = {}) {
  if (err instanceof HttpError && err.status === 409 && username) return t('admin.taken', { name: username });
  const issues = err instanceof HttpError ? (err.body?.error?.issues ?? []) : [];
  if (!issues.length) return describeError(err, t);
  const words = issues.map((i) =>
    t('admin.issue', {
      field: label('admin.field', i.field),
      reason: t(`admin.rule.${i.field}`, { fallback: i.reason }),
    }),
  );
  return [t('admin.invalid'), ...words].join(' ');
}

const roleOptions = (selected) =>
  ROLES.map((r) => h('option', { value: r, selected: r === selected }, label('role', r)));

async function act(run, done) {
  try {
    await run();
    flash(done);
  } catch (err) {
    flash(problemWords(err), 'error');
  }
  await loadAdmin();
}

function userRow(u) {
  const name = nameOf(u);
  const self = view.me && u.id === view.me.id;
  const role = h(
    'select',
    {
      class: 'user-role',
      'aria-label': t('admin.roleOf', { name }),
      disabled: self,
      on: {
        change: (ev) =>
          act(
            () => patchUser(u.id, { role: ev.target.value }),
            t('admin.roleChanged', { name, role: label('role', ev.target.value) }),
          ),
      },
    },
    roleOptions(u.role),
  );
  const toggle = h(
    'button',
    {
      type: 'button',
      class: u.disabled ? 'user-enable' : 'user-disable',
      disabled: self,
      'aria-label': t(u.disabled ? 'admin.enableLabel' : 'admin.disableLabel', { name }),
      on: {
        click: () =>
          act(
            () => patchUser(u.id, { disabled: !u.disabled }),
            t(u.disabled ? 'admin.enabled' : 'admin.disabledDone', { name }),
          ),
      },
    },
    t(u.disabled ? 'admin.enable' : 'admin.disable'),
  );
  const tokens = h(
    'button',
    {
      type: 'button',
      class: 'user-tokens',
      'aria-label': t('admin.tokensLabel', { name }),
      'aria-pressed': String(view.tokensOf?.id === u.id),
      on: {
        click: async () => {
          view.tokensOf = u;
          await loadAdmin();
          $('tokens-title').focus();
        },
      },
    },
    t('admin.tokensButton'),
  );
  // Lost phone: the account sets up a new authenticator at its next sign-in; its sessions end now.
  const reset = h(
    'button',
    {
      type: 'button',
      class: 'user-reset-2fa',
      disabled: self,
      'aria-label': t('admin.reset2faLabel', { name }),
      on: {
        click: () => {
          if (confirm(t('admin.reset2faConfirm', { name })))
            act(() => resetSecondFactor(u.id), t('admin.reset2faDone', { name }));
        },
      },
    },
    t('admin.reset2fa'),
  );
  // A forgotten password: the server makes a new one, shown once in the panel below the table.
  const password = h(
    'button',
    {
      type: 'button',
      class: 'user-password',
      'aria-label': t('admin.passwordLabel', { name }),
      on: {
        click: (ev) => {
          if (confirm(t('admin.passwordConfirm', { name }))) makePassword(u, ev.currentTarget);
        },
      },
    },
    t('admin.passwordButton'),
  );
  // A new observer without a laptop: the admin shows them the code to scan. Only for an active observer account.
  const setup =
    u.role === 'observer' && !u.disabled
      ? h(
          'button',
          {
            type: 'button',
            class: 'user-odk',
            'aria-label': t('admin.odkLabel', { name }),
            on: { click: (ev) => makeOdkSetup(u, ev.currentTarget) },
          },
          t('admin.odkButton'),
        )
      : null;
  return h(
    'tr',
    { dataset: { id: u.id, username: u.username }, class: u.disabled ? 'disabled' : undefined },
    h('td', { dir: 'ltr' }, h('bdi', {}, u.username)),
    h('td', {}, h('bdi', {}, u.displayName ?? '–')),
    h('td', {}, role),
    h('td', { class: 'user-status' }, t(u.disabled ? 'admin.disabled' : 'admin.active')),
    h('td', { class: 'user-notices' }, u.role === 'observer' ? '–' : noticeForm(u, name)),
    h('td', { class: 'row-actions' }, toggle, ' ', tokens, ' ', reset, ' ', password, setup ? [' ', setup] : null),
  );
}

/**
 * Where and how a commission or admin account's notices are emailed (when the server sends email): the address, the
 * language (none: English and Arabic together) and whether to send them at all. Saved through PATCH /api/users/:id,
 * audited there.
 */
function noticeForm(u, name) {
  const email = h('input', {
    type: 'email',
    class: 'user-email',
    dir: 'ltr',
    autocomplete: 'off',
    value: u.email ?? '',
    'aria-label': t('admin.emailOf', { name }),
  });
  const language = h(
    'select',
    { class: 'user-language', 'aria-label': t('admin.languageOf', { name }) },
    ['', 'en', 'ar'].map((l) =>
      h('option', { value: l, selected: (u.language ?? '') === l }, t(`admin.noticeLanguage.${l || 'both'}`)),
    ),
  );
  const wanted = h('input', { type: 'checkbox', class: 'user-email-on', checked: u.emailNotifications !== false });
  return h(
    'form',
    {
      class: 'notice-form',
      novalidate: true,
      on: {
        submit: (ev) => {
          ev.preventDefault();
          act(
            () =>
              patchUser(u.id, {
                email: email.value.trim() || null,
                language: language.value || null,
                emailNotifications: wanted.checked,
              }),
            t('admin.noticesSaved', { name }),
          );
        },
      },
    },
    email,
    ' ',
    language,
    ' ',
    h('label', { class: 'inline' }, wanted, ' ', t('admin.emailOn')),
    ' ',
    h(
      'button',
      { type: 'submit', class: 'user-notices-save', 'aria-label': t('admin.noticesSaveLabel', { name }) },
      t('admin.noticesSave'),
    ),
  );
}

async function makeOdkSetup(u, button) {
  button.disabled = true;
  try {
    odk = { user: u, setup: await observerOdkSetup(u.id) };
    flash(t('admin.odkMade', { name: nameOf(u) }));
    drawOdkSetup();
    $('odk-setup-title').focus();
  } catch (err) {
    const reason = err instanceof HttpError ? err.body?.error?.reason : null;
    flash(
      reason ? t(`admin.odkRefused.${reason}`, { name: nameOf(u), fallback: problemWords(err) }) : problemWords(err),
      'error',
    );
  } finally {
    button.disabled = false;
  }
}

/** The new password, shown once: the panel forgets it when closed, and the server never shows it again. */
async function makePassword(u, button) {
  button.disabled = true;
  const panel = $('password-reset');
  try {
    const done = await resetPassword(u.id);
    const name = nameOf(u);
    panel.replaceChildren(
      h('h2', { id: 'password-reset-title', tabindex: '-1' }, t('admin.passwordTitle', { name })),
      h('p', {}, h('code', { id: 'password-reset-value', class: 'secret', dir: 'ltr' }, done.password)),
      h('p', { class: 'warning' }, t('admin.passwordWarning', { name })),
      h(
        'button',
        {
          type: 'button',
          id: 'password-reset-close',
          on: {
            click: () => {
              panel.hidden = true;
              panel.replaceChildren();
            },
          },
        },
        t('admin.odkClose'),
      ),
    );
    panel.hidden = false;
    flash(t('admin.passwordDone', { name }));
    $('password-reset-title').focus();
  } catch (err) {
    flash(problemWords(err), 'error');
  } finally {
    button.disabled = false;
  }
}

/** The code, what to do with it and until when; hidden (and forgotten) when closed or when the admin leaves. */
function drawOdkSetup() {
  const panel = $('odk-setup');
  if (!odk) {
    panel.hidden = true;
    panel.replaceChildren();
    return;
  }
  const name = nameOf(odk.user);
  // The SVG is the server's own output (qrcode), parsed as an image document, not as page markup.
  const svg = new DOMParser().parseFromString(odk.setup.svg, 'image/svg+xml').documentElement;
  panel.replaceChildren(
    h('h2', { id: 'odk-setup-title', tabindex: '-1' }, t('admin.odkTitle', { name })),
    h('p', {}, t('admin.odkSteps')),
    h(
      'div',
      { class: 'odk-qr', id: 'odk-setup-qr', role: 'img', 'aria-label': t('admin.odkQrLabel', { name }) },
      document.importNode(svg, true),
    ),
    odk.setup.claimBy
      ? h(
          'p',
          { class: 'odk-expiry', id: 'odk-setup-expiry' },
          t('admin.odkExpiry', { time: formatDateTime(odk.setup.claimBy) }),
        )
      : null,
    h('p', { class: 'warning' }, t('admin.odkWarning', { name })),
    h('button', { type: 'button', id: 'odk-setup-close', on: { click: closeOdkSetup } }, t('admin.odkClose')),
  );
  panel.hidden = false;
}

function closeOdkSetup() {
  odk = null;
  drawOdkSetup();
}

function jobRow(j) {
  return h(
    'tr',
    { dataset: { queue: j.queue, jobId: j.jobId } },
    h('td', {}, j.finishedOn ? h('time', { datetime: j.finishedOn }, formatDateTime(j.finishedOn)) : '–'),
    h('td', {}, label('admin.job', j.name), ' ', h('code', { class: 'id', dir: 'ltr' }, `${j.queue}/${j.jobId}`)),
    h('td', { class: 'job-reason', dir: 'auto' }, j.failedReason ?? '–'),
    h('td', { class: 'num' }, String(j.attemptsMade)),
    h(
      'td',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'job-retry',
          'aria-label': t('admin.retryLabel', { job: `${j.queue}/${j.jobId}` }),
          on: { click: () => act(() => retryJob(j.queue, j.jobId), t('admin.retried')) },
        },
        t('admin.retry'),
      ),
    ),
  );
}

function tokenRow(k) {
  return h(
    'tr',
    { dataset: { id: k.id }, class: k.revokedAt ? 'revoked' : undefined },
    h('td', { dir: 'auto' }, h('bdi', {}, k.name)),
    h('td', {}, formatDateTime(k.createdAt)),
    h('td', {}, k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t('admin.never')),
    h(
      'td',
      {},
      k.revokedAt
        ? t('admin.revokedAt', { date: formatDateTime(k.revokedAt) })
        : h(
            'button',
            {
              type: 'button',
              class: 'token-revoke',
              'aria-label': t('admin.revokeLabel', { name: k.name }),
              on: {
                click: () => {
                  const owner = view.tokensOf;
                  if (confirm(t('admin.revokeConfirm', { name: k.name })))
                    act(() => revokeUserToken(owner.id, k.id), t('admin.revoked', { name: k.name }));
                },
              },
            },
            t('admin.revoke'),
          ),
    ),
  );
}

function render() {
  $('users-rows').replaceChildren(...view.users.map(userRow));
  $('jobs-rows').replaceChildren(...view.jobs.map(jobRow));
  $('tokens-rows').replaceChildren(...view.tokens.map(tokenRow));
  $('users-message').textContent = t('admin.usersShown', { count: view.users.length });
  $('jobs-message').textContent = view.jobs.length
    ? t('admin.jobsShown', { count: view.jobs.length })
    : t('admin.noJobs');
  const own = view.tokensOf?.id === view.me?.id;
  $('tokens-title').textContent = own ? t('admin.tokens') : t('admin.tokensOf', { name: nameOf(view.tokensOf) });
  $('tokens-message').textContent = view.tokens.length ? '' : t('admin.noTokens');
  $('jobs-table').hidden = !view.jobs.length;
  $('tokens-table').hidden = !view.tokens.length;
}

/** Loads the three lists; one that fails says why in its own place. */
export async function loadAdmin(me = view.me) {
  if (me?.id !== view.me?.id) view.tokensOf = null;
  view.me = me;
  view.tokensOf ??= me;
  const tables = ['users-table', 'jobs-table', 'tokens-table'];
  for (const id of tables) $(id).setAttribute('aria-busy', 'true');
  const [users, jobs, tokens] = await Promise.allSettled([listUsers(), failedJobs(), userTokens(view.tokensOf.id)]);
  view.users = users.status === 'fulfilled' ? users.value.items : [];
  view.jobs = jobs.status === 'fulfilled' ? jobs.value : [];
  view.tokens = tokens.status === 'fulfilled' ? tokens.value.items : [];
  render();
  if (users.status === 'rejected') $('users-message').textContent = problemWords(users.reason);
  if (jobs.status === 'rejected') $('jobs-message').textContent = problemWords(jobs.reason);
  if (tokens.status === 'rejected') $('tokens-message').textContent = problemWords(tokens.reason);
  for (const id of tables) $(id).setAttribute('aria-busy', 'false');
}

export function relabelAdmin() {
  const select = $('new-role');
  const keep = select.value || 'observer';
  select.replaceChildren(...roleOptions(keep));
  if (!$('view-admin').hidden) render();
  if (odk) drawOdkSetup();
}

export function wireAdmin() {
  relabelAdmin();
  // Shown once: leaving the page forgets the code.
  window.addEventListener('hashchange', closeOdkSetup);
  $('user-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const error = $('user-form-error');
    error.textContent = '';
    const f = Object.fromEntries(new FormData($('user-form')));
    const body = { username: f.username.trim(), password: f.password, role: f.role };
    if (f.displayName.trim()) body.displayName = f.displayName.trim();
    try {
      const { user } = await createUser(body);
      $('user-form').reset();
      relabelAdmin();
      flash(t('admin.created', { name: user.username }));
    } catch (err) {
      error.textContent = problemWords(err, { username: body.username });
      return;
    }
    await loadAdmin();
  });
}
