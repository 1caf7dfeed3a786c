// Near-identical photos around an incident, side by side: each pair with the number of the 64 hash bits that differ
// and both photos' EXIF (time, position, camera, software), so a reviewer sees a re-sent, cropped or screenshotted
// picture for what it is — and a photo of another incident that looks like this one.
import { h } from './dom.js';
import { t, formatDateTime, formatNumber } from './i18n.js';
import { photoMatches, describeError } from './api.js';

const coords = (e) =>
  Number.isFinite(e.lat)
    ? `${formatNumber(e.lat, { maximumFractionDigits: 4 })}, ${formatNumber(e.lon, { maximumFractionDigits: 4 })}`
    : t('exif.none');

function side(p) {
  const tags = p.exif.tags ?? {};
  const camera = [tags.Make, tags.Model].filter(Boolean).join(' ');
  const rows = [
    ['photos.taken', p.exif.takenAt ? formatDateTime(p.exif.takenAt) : t('exif.none')],
    ['photos.position', coords(p.exif)],
    ['photos.camera', camera || t('exif.none')],
    ['photos.software', tags.Software ?? t('exif.none')],
    ['photos.received', formatDateTime(p.receivedAt)],
  ];
  return h(
    'figure',
    { class: 'photo-side' },
    h(
      'a',
      { href: `/api/attachments/${p.attachmentId}`, target: '_blank', rel: 'noopener' },
      h('img', {
        src: `/api/attachments/${p.attachmentId}/thumbnail`,
        alt: t('exif.thumbAlt', { name: p.originalName }),
        width: 240,
      }),
    ),
    h(
      'figcaption',
      {},
      h('p', { dir: 'auto' }, p.originalName),
      h(
        'p',
        { class: 'note' },
        p.sameIncident
          ? t('photos.thisIncident')
          : p.incidentId
            ? h('a', { href: `#incident/${p.incidentId}` }, t('photos.otherIncident', { id: p.incidentId.slice(0, 8) }))
            : t('photos.noIncident'),
      ),
      h(
        'dl',
        { class: 'exif-list' },
        rows.map(([k, v]) => h('div', {}, h('dt', {}, t(k)), h('dd', { dir: 'auto' }, v))),
      ),
    ),
  );
}

function pair(m, threshold) {
  return h(
    'li',
    { class: 'photo-pair' },
    h(
      'p',
      { class: 'distance' },
      m.sameFile
        ? t('photos.sameFile')
        : t('photos.distance', { distance: formatNumber(m.distance), threshold: formatNumber(threshold) }),
    ),
    h('div', { class: 'photo-sides' }, side(m.a), side(m.b)),
  );
}

/** The section, filled in when the pairs arrive; the rest of the page does not wait for it. */
export function photoMatchesSection(incidentId) {
  const body = h('div', {}, h('p', { class: 'note', role: 'status' }, t('queue.loading')));
  const section = h(
    'section',
    { class: 'box', 'aria-labelledby': 'photos-title', id: 'photo-matches' },
    h('h2', { id: 'photos-title' }, t('photos.title')),
    body,
  );
  photoMatches(incidentId).then(
    (r) =>
      body.replaceChildren(
        r.matches.length
          ? h(
              'ol',
              { class: 'photo-pairs' },
              r.matches.map((m) => pair(m, r.threshold)),
            )
          : h('p', { class: 'note' }, t('photos.none')),
      ),
    (err) => body.replaceChildren(h('p', { class: 'error', role: 'alert' }, describeError(err, t))),
  );
  return section;
}
