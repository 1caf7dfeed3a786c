// Compliance digests: compile one for any date range, list the stored ones, open HTML / download PDF / JSON in en or ar.
import { $, h, flash } from './dom.js';
import { t, formatDay, formatDateTime, isoDay, lastDayOf } from './i18n.js';
import { listDigests, compileDigest, digestUrl, describeError } from './api.js';

const LANGS = ['en', 'ar'];

function item(d) {
  // Named by Libyan calendar days, the end inclusive: a digest asked for 28 Nov-4 Dec starts at 28 Nov 00:00 in
  // Tripoli (27 Nov 22:00 UTC) and is named from 28 Nov, to 4 Dec.
  const fromAt = d.periodFrom ?? d.from;
  const toAt = d.periodTo ?? d.to;
  const from = fromAt ? isoDay(fromAt) : null;
  const to = toAt ? isoDay(lastDayOf(toAt)) : null;
  const links = (lang) =>
    h(
      'li',
      { lang },
      h('span', { class: 'lang-name' }, t(`lang.${lang}`)),
      ' ',
      h('a', { href: digestUrl(d.id, 'html', lang), target: '_blank', rel: 'noopener' }, t('digests.html')),
      ' ',
      h(
        'a',
        {
          href: digestUrl(d.id, 'pdf', lang),
          download: `digest-${from}-${to}-${lang}.pdf`,
        },
        t('digests.pdf'),
      ),
      ' ',
      h('a', { href: digestUrl(d.id, 'json', lang), download: `digest-${from}-${to}.json` }, t('digests.json')),
    );
  return h(
    'li',
    { class: 'item', dataset: { id: d.id } },
    h(
      'div',
      { class: 'item-head' },
      h(
        'strong',
        {},
        t('digests.period', { from: fromAt ? formatDay(fromAt) : '?', to: toAt ? formatDay(lastDayOf(toAt)) : '?' }),
      ),
      h(
        'span',
        { class: 'note' },
        d.trigger ? t(`digests.trigger.${d.trigger}`) : '',
        d.createdAt ? ` · ${formatDateTime(d.createdAt)}` : '',
      ),
    ),
    h('ul', { class: 'digest-links' }, LANGS.map(links)),
  );
}

export async function loadDigests() {
  $('digests-message').textContent = t('queue.loading');
  try {
    const { items } = await listDigests();
    $('digests-list').replaceChildren(...items.map(item));
    $('digests-message').textContent = items.length ? '' : t('digests.none');
  } catch (err) {
    $('digests-message').textContent = describeError(err, t);
  }
}

export function wireDigests() {
  // Default range: the last full Monday–Sunday week, the period of the weekly digest.
  const now = new Date();
  const monday = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7) - 7),
  );
  $('digest-from').value = monday.toISOString().slice(0, 10);
  $('digest-to').value = new Date(monday.getTime() + 6 * 86400000).toISOString().slice(0, 10);
  $('digest-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const from = $('digest-from').value;
    const to = $('digest-to').value;
    const error = $('digest-error');
    error.textContent = '';
    if (!from || !to || from > to) {
      error.textContent = t('digests.badRange');
      return;
    }
    const button = ev.submitter ?? $('digest-form').querySelector('button');
    button.disabled = true;
    try {
      // Bare dates: the API reads them as whole days in the agreement's zone (Africa/Tripoli), `to` included.
      await compileDigest(from, to);
      flash(t('digests.compiled'));
      await loadDigests();
    } catch (err) {
      error.textContent = describeError(err, t);
    } finally {
      button.disabled = false;
    }
  });
}
