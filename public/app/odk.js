// ODK Collect setup: the server makes a token of its own for the phone and answers Collect's settings as a QR code
// (ODK Central's format). Shown on request only: the code is a key to the observer's account.
import { api } from './api.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

export function wireOdk() {
  $('odk-show').addEventListener('click', async () => {
    const message = $('odk-message');
    if (!navigator.onLine) {
      message.textContent = t('odk.offline');
      return;
    }
    $('odk-show').disabled = true;
    message.textContent = '';
    try {
      const setup = await api('/api/auth/odk-setup', { method: 'POST' });
      // The SVG is the server's own output (qrcode), parsed as an image document, not as page markup.
      const svg = new DOMParser().parseFromString(setup.svg, 'image/svg+xml').documentElement;
      $('odk-qr').replaceChildren(document.importNode(svg, true));
      $('odk-qr').dataset.payload = setup.payload;
      $('odk-url').textContent = setup.serverUrl.replace(/\/key\/.*/, '/key/…');
      $('odk-code').hidden = false;
      message.textContent = t('odk.ready');
    } catch (err) {
      console.error(err);
      message.textContent = t('odk.failed');
    } finally {
      $('odk-show').disabled = false;
    }
  });
}
