// The report form: gathers the fields, checks what the browser can check, and hands the report to the
// outbox, which delivers it now or later. Server-side validation issues come back per field.
import { t, language, formatBytes } from './i18n.js';
import { sync } from './api.js';
import { suggestPlaces } from './places.js';
import { discardDraft, restoreDraft, saveDraft } from './draft.js';

const $ = (id) => document.getElementById(id);
const CASUALTIES = ['killed', 'injured', 'missing', 'detained'];
const MAX_FILES = 10;

// Server issue field names → the id of the control they belong to.
const FIELD_CONTROL = {
  narrative: 'narrative',
  observedAt: 'observedAt',
  lat: 'lat',
  lon: 'lon',
  accuracyM: 'accuracyM',
  placeName: 'placeName',
  partyAlleged: 'partyAlleged',
  casualties: 'casualties',
  attachments: 'attachments',
  ...Object.fromEntries(CASUALTIES.map((c) => [`casualties.${c}`, c])),
};

const pad = (n) => String(n).padStart(2, '0');

/** datetime-local value for a Date, in the device's time zone. */
export function toLocalInput(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "2020-11-14T05:40" (device local time) → "2020-11-14T05:40:00+02:00", the offset of that instant. */
export function localInputToIso(value) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${toLocalInput(d)}:${pad(d.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function numberOrUndefined(id) {
  const raw = $(id).value.trim();
  return raw === '' ? undefined : Number(raw);
}

export function readFields() {
  const lat = numberOrUndefined('lat');
  const lon = numberOrUndefined('lon');
  const casualties = {};
  for (const c of CASUALTIES) {
    const v = numberOrUndefined(c);
    if (v !== undefined) casualties[c] = v;
  }
  return {
    narrative: $('narrative').value.trim(),
    observedAt: localInputToIso($('observedAt').value),
    lat,
    lon,
    accuracyM: lat !== undefined ? numberOrUndefined('accuracyM') : undefined,
    placeName: $('placeName').value.trim() || undefined,
    partyAlleged: $('partyAlleged').value,
    casualties: Object.keys(casualties).length ? casualties : undefined,
  };
}

// The same rules as the report schema, checked before storing so an offline report is not found wrong hours later.
function localIssues(fields, files) {
  const issues = [];
  if (!fields.narrative) issues.push({ field: 'narrative', key: 'err.required' });
  if (!fields.observedAt) issues.push({ field: 'observedAt', key: 'err.required' });
  const hasLat = fields.lat !== undefined;
  const hasLon = fields.lon !== undefined;
  if (hasLat !== hasLon) issues.push({ field: hasLat ? 'lon' : 'lat', key: 'err.latLon' });
  if (hasLat && !(Math.abs(fields.lat) <= 90)) issues.push({ field: 'lat', key: 'err.range' });
  if (hasLon && !(Math.abs(fields.lon) <= 180)) issues.push({ field: 'lon', key: 'err.range' });
  if (!hasLat && !hasLon && !fields.placeName) issues.push({ field: 'placeName', key: 'err.positionOrPlace' });
  if (fields.accuracyM !== undefined && !(fields.accuracyM >= 0)) issues.push({ field: 'accuracyM', key: 'err.range' });
  for (const [k, v] of Object.entries(fields.casualties || {})) {
    if (!Number.isInteger(v) || v < 0 || v > 100000) issues.push({ field: `casualties.${k}`, key: 'err.range' });
  }
  if (files.length > MAX_FILES)
    issues.push({ field: 'attachments', key: 'err.tooManyFiles', params: { max: MAX_FILES } });
  return issues;
}

// What is on screen is kept as keys, not text, so switching language re-renders it in the new language.
let shownIssues = null;
let positionStatus = null;

function setPositionStatus(key, params) {
  positionStatus = key ? { key, params } : null;
  $('gps-status').textContent = key ? t(key, params) : '';
}

export function clearErrors() {
  shownIssues = null;
  for (const el of document.querySelectorAll('#report-form .error')) el.textContent = '';
  for (const el of document.querySelectorAll('#report-form [aria-invalid]')) el.removeAttribute('aria-invalid');
  $('form-summary').hidden = true;
}

/** Marks each field named in issues and moves focus to the summary, so screen readers announce it.
 *  Local issues carry a message key; the server's carry its own reason, shown as it sent it. */
export function showIssues(issues, { focus = true } = {}) {
  clearErrors();
  shownIssues = issues;
  const general = [];
  for (const issue of issues) {
    const id = FIELD_CONTROL[issue.field];
    const text = issue.key ? t(issue.key, issue.params) : t('err.server', { reason: issue.reason });
    if (!id) {
      general.push(text);
      continue;
    }
    const err = $(`${id}-error`);
    err.textContent = err.textContent ? `${err.textContent} ${text}` : text;
    $(id).setAttribute('aria-invalid', 'true');
  }
  const summary = $('form-summary');
  summary.textContent = [t('form.invalid'), ...general].join(' ');
  summary.hidden = false;
  if (focus) summary.focus();
}

function renderFiles() {
  const list = $('attachments-list');
  const files = [...$('attachments').files];
  if (!files.length) {
    list.replaceChildren(
      Object.assign(document.createElement('li'), { className: 'none', textContent: t('form.noFiles') }),
    );
    return;
  }
  list.replaceChildren(
    ...files.map((f) => {
      const li = document.createElement('li');
      const name = document.createElement('bdi');
      name.textContent = f.name;
      li.append(name, ` (${t('form.fileSize', { size: Math.max(1, Math.round(f.size / 1024)) })})`);
      return li;
    }),
  );
}

export function resetForm() {
  $('report-form').reset();
  discardDraft();
  showDraftNote(false);
  clearErrors();
  $('observedAt').value = toLocalInput(new Date());
  setPositionStatus(null);
  renderFiles();
}

/** Puts an unsent report back into the form (editing a rejected report from the outbox). */
export function loadIntoForm(item) {
  resetForm();
  const f = item.fields;
  $('narrative').value = f.narrative || '';
  if (f.observedAt) $('observedAt').value = toLocalInput(new Date(f.observedAt));
  for (const k of ['lat', 'lon', 'accuracyM', 'placeName']) $(k).value = f[k] ?? '';
  $('partyAlleged').value = f.partyAlleged || 'unknown';
  for (const c of CASUALTIES) $(c).value = f.casualties?.[c] ?? '';
  const dt = new DataTransfer();
  for (const file of item.files) dt.items.add(new File([file.blob], file.name, { type: file.type }));
  $('attachments').files = dt.files;
  renderFiles();
  if (item.issues?.length) showIssues(item.issues);
}

export function setPosition(lat, lon, accuracy) {
  $('lat').value = lat.toFixed(6);
  $('lon').value = lon.toFixed(6);
  $('accuracyM').value = accuracy === undefined ? '' : String(Math.round(accuracy));
}

function locate() {
  if (!('geolocation' in navigator)) {
    setPositionStatus('form.gpsUnavailable');
    return;
  }
  setPositionStatus('form.gpsLocating');
  navigator.geolocation.getCurrentPosition(
    (pos) => {
      setPosition(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy);
      setPositionStatus('form.gpsFound', { accuracy: Math.round(pos.coords.accuracy) });
    },
    (err) => setPositionStatus(err.code === err.PERMISSION_DENIED ? 'form.gpsDenied' : 'form.gpsUnavailable'),
    { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 },
  );
}

function wirePlaces() {
  const input = $('placeName');
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) return;
    timer = setTimeout(async () => {
      const places = await suggestPlaces(q);
      $('places').replaceChildren(
        ...places.map((p) => {
          const o = document.createElement('option');
          o.value = p.name;
          o.label = language() === 'ar' && p.nameAr ? p.nameAr : p.name;
          return o;
        }),
      );
    }, 200);
  });
}

function wireMap() {
  const toggle = $('map-toggle');
  const panel = $('map-panel');
  let picker = null;
  const update = () => {
    toggle.textContent = t(panel.hidden ? 'form.map' : 'form.mapHide');
  };
  document.addEventListener('languagechange', update);
  toggle.addEventListener('click', async () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    update();
    if (panel.hidden) return;
    try {
      // Leaflet and the base layers are fetched only when the observer opens the map: the form stays light.
      const { openPicker } = await import('./map.js');
      picker ??= await openPicker($('map'), (lat, lon) => {
        setPosition(lat, lon, undefined);
        setPositionStatus('form.mapPicked');
      });
      picker.refresh(numberOrUndefined('lat'), numberOrUndefined('lon'));
      $('map').scrollIntoView({ block: 'nearest' });
    } catch (err) {
      console.error(err);
      setPositionStatus('form.mapFailed');
    }
  });
  $('map-centre').addEventListener('click', () => picker?.pickCentre());
}

/** onDone(result) is told whether the report was sent, kept for later, or rejected. */
function showDraftNote(shown) {
  $('draft-note').hidden = !shown;
}

export function wireForm({ observer, onDone }) {
  $('observedAt').value = toLocalInput(new Date());
  showDraftNote(restoreDraft());
  $('report-form').addEventListener('input', saveDraft);
  $('report-form').addEventListener('change', saveDraft);
  $('draft-discard').addEventListener('click', () => {
    discardDraft();
    resetForm();
    $('narrative').focus();
  });
  $('attachments').addEventListener('change', renderFiles);
  $('gps').addEventListener('click', locate);
  wirePlaces();
  wireMap();
  const updateHints = () => {
    $('observedAt-hint').textContent = t('form.observedAtHint', {
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
    $('attachments-hint').textContent = t('form.attachmentsHint', { max: MAX_FILES });
    renderFiles();
    if (shownIssues) showIssues(shownIssues, { focus: false });
    if (positionStatus) setPositionStatus(positionStatus.key, positionStatus.params);
  };
  document.addEventListener('languagechange', updateHints);
  updateHints();

  let busy = false;
  $('report-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const fields = readFields();
    const files = [...$('attachments').files];
    const issues = localIssues(fields, files);
    if (issues.length) {
      showIssues(issues);
      return;
    }
    clearErrors();
    busy = true;
    const button = $('submit');
    button.disabled = true;
    button.textContent = t('form.sending');
    try {
      // The clientId is fixed here, once per press of "send": every later retry of this report reuses it.
      const clientId = crypto.randomUUID();
      const item = {
        clientId,
        observerId: observer().id,
        createdAt: Date.now(),
        fields: { clientId, ...fields },
        files: await Promise.all(
          files.map(async (f) => ({
            name: f.name,
            type: f.type,
            blob: new Blob([await f.arrayBuffer()], { type: f.type }),
          })),
        ),
      };
      try {
        await sync.enqueue(item);
      } catch (err) {
        // Most often the device's storage is full (a long video): say so rather than lose the report silently.
        console.error(err);
        showIssues([{ field: '', key: 'form.storeFailed' }]);
        return;
      }
      let outcome;
      if (navigator.onLine) {
        try {
          const onProgress = ({ sent, total }) => {
            button.textContent = t('form.sendingPhotos', { sent: formatBytes(sent), total: formatBytes(total) });
          };
          outcome = (await sync.flush({ force: true, only: clientId, onProgress }))[clientId];
        } catch (err) {
          console.error(err); // the report is safe in the outbox and will be retried
        }
      }
      if (outcome?.kind === 'invalid') {
        // Nothing was stored by the server, so the draft goes back to the form and leaves the outbox.
        await sync.discard(clientId);
        showIssues(outcome.issues.length ? outcome.issues : [{ field: '', reason: outcome.message }]);
        return;
      }
      resetForm();
      onDone(outcome?.kind === 'sent' ? 'sent' : outcome?.kind === 'conflict' ? 'conflict' : 'saved');
    } finally {
      busy = false;
      button.disabled = false;
      button.textContent = t('form.submit');
    }
  });
}
