// The second step of signing in: a code from the authenticator app (or a recovery code), or, for an account that
// has none yet, setting one up (QR code and key, a code to confirm, recovery codes shown once).
import { $, h } from './dom.js';
import { t } from './i18n.js';
import { confirmEnrollment, HttpError, startEnrollment, verifyCode } from './api.js';

let recoveryCodes = [];

function describe(err, wrongKey) {
  if (err instanceof HttpError && (err.status === 401 || err.status === 422)) {
    return err.body?.error?.message?.startsWith('sign in') ? t('twofa.expired') : t(wrongKey);
  }
  if (err instanceof HttpError && err.status === 429) return t('twofa.rateLimited');
  if (err instanceof HttpError) return err.message;
  return t('error.network');
}

/** Asks the server for a key to enroll and shows it (QR code as an image of the server's SVG, and as text). */
export async function showEnrollment() {
  $('enroll-error').textContent = '';
  $('enroll-status').textContent = t('enroll.loading');
  $('enroll-qr').hidden = true;
  $('enroll-secret').textContent = '';
  try {
    const offer = await startEnrollment();
    $('enroll-qr').src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(offer.qrSvg)}`;
    $('enroll-qr').hidden = false;
    $('enroll-secret').textContent = offer.secret.match(/.{1,4}/g).join(' ');
    $('enroll-status').textContent = '';
    $('enroll-code').focus();
  } catch (err) {
    $('enroll-status').textContent = '';
    $('enroll-error').textContent = describe(err, 'enroll.failed');
  }
}

export function pendingRecoveryCodes() {
  return recoveryCodes;
}

function showRecoveryCodes(codes) {
  recoveryCodes = codes;
  $('recovery-codes').replaceChildren(...codes.map((c) => h('li', {}, c)));
}

/** `onSignedIn(user)` once the second step is done; `onCancel()` for "cancel and sign out". */
export function wireSecondFactor({ onSignedIn, onRecoveryCodes, onCancel, onDone }) {
  $('twofa-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const error = $('twofa-error');
    error.textContent = '';
    const code = $('twofa-code').value.trim();
    if (!code) {
      error.textContent = t('twofa.failed');
      return;
    }
    try {
      const { user } = await verifyCode(code);
      $('twofa-code').value = '';
      await onSignedIn(user);
    } catch (err) {
      error.textContent = describe(err, 'twofa.failed');
    }
  });
  $('enroll-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const error = $('enroll-error');
    error.textContent = '';
    try {
      const { user, recoveryCodes: codes } = await confirmEnrollment($('enroll-code').value.trim());
      $('enroll-code').value = '';
      $('enroll-secret').textContent = '';
      $('enroll-qr').removeAttribute('src');
      showRecoveryCodes(codes);
      await onRecoveryCodes(user);
    } catch (err) {
      error.textContent = describe(err, 'enroll.failed');
    }
  });
  for (const b of document.querySelectorAll('.cancel-sign-in')) b.addEventListener('click', onCancel);
  $('recovery-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(recoveryCodes.join('\n'));
      $('recovery-copy').textContent = t('recovery.copied');
    } catch {
      $('recovery-copy').textContent = t('recovery.copyFailed');
    }
  });
  $('recovery-continue').addEventListener('click', async () => {
    recoveryCodes = [];
    $('recovery-codes').replaceChildren();
    $('recovery-copy').textContent = t('recovery.copy');
    await onDone();
  });
}
