// The filter panel shared by the queue and the map view: one form, kept in sessionStorage so going to an
// incident and back keeps the reviewer's place. Listeners are told when the filters are applied.
import { $, h } from './dom.js';
import { t, label, formatNumber } from './i18n.js';
import { TERMS, STANCES, PARTIES } from './vocab.js';
import { bboxPicker } from './bbox.js';

const STORAGE_KEY = 'review.filters';
const FIELDS = ['term', 'stance', 'party', 'place', 'from', 'to', 'language', 'minConfidence', 'needsReview', 'bbox'];
const listeners = new Set();
let picker = null;

export function currentFilters() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) ?? {};
  } catch {
    return {};
  }
}

/** The filters as API query parameters. Dates stay bare days: the API reads them as whole days in Libya's zone. */
export const apiFilters = (f = currentFilters()) => ({ ...f });

export const onFiltersChange = (fn) => listeners.add(fn);

function fillOptions(select, kind, values) {
  const keep = select.value;
  select.replaceChildren(
    h('option', { value: '' }, t('filters.any')),
    ...values.map((v) => h('option', { value: v }, label(kind, v))),
  );
  select.value = keep;
}

function showBbox(value) {
  $('f-bbox').value = value ?? '';
  $('bbox-value').textContent = value
    ? t('filters.areaValue', {
        value: value
          .split(',')
          .map((n) => formatNumber(Number(n)))
          .join(' , '),
      })
    : t('filters.noArea');
}

function readForm() {
  const f = {};
  for (const name of FIELDS) {
    const v = $(`f-${name}`).value.trim();
    if (v) f[name] = v;
  }
  return f;
}

function writeForm(f) {
  for (const name of FIELDS) $(`f-${name}`).value = f[name] ?? '';
  showBbox(f.bbox);
  picker?.set(f.bbox);
}

function apply() {
  const f = readForm();
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(f));
  for (const fn of listeners) fn(f);
}

/** Puts filters in use as if typed into the form and applied (a saved filter). */
export function setFilters(f) {
  writeForm(f);
  apply();
}

export function relabelFilters() {
  fillOptions($('f-term'), 'term', TERMS);
  fillOptions($('f-stance'), 'stance', STANCES);
  fillOptions($('f-party'), 'party', PARTIES);
  showBbox($('f-bbox').value);
}

export function wireFilters() {
  relabelFilters();
  writeForm(currentFilters());
  // On a tablet the filters sit above the list; folded at first so the incidents are what the reviewer sees.
  if (matchMedia('(max-width: 68rem)').matches) $('filters-details').open = false;
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    apply();
  });
  $('filters').addEventListener('reset', (ev) => {
    ev.preventDefault();
    writeForm({});
    apply();
  });
  const draw = $('bbox-draw');
  draw.addEventListener('click', () => {
    if (!picker) return;
    picker.setDrawing(!picker.drawing);
    draw.setAttribute('aria-pressed', String(picker.drawing));
  });
  $('bbox-clear').addEventListener('click', () => {
    showBbox('');
    picker?.set('');
    apply();
  });
  // The keyboard way to an area: pan/zoom the map with the arrow and +/- keys, then take what is visible.
  $('bbox-visible').addEventListener('click', () => picker?.useVisible());
}

/** The small map is created the first time the panel is visible (Leaflet must measure its container). */
export async function showFilterMap() {
  if (picker) {
    picker.refresh();
    return;
  }
  picker = await bboxPicker($('bbox-map'), {
    onChange(value) {
      showBbox(value);
      $('bbox-draw').setAttribute('aria-pressed', 'false');
      apply();
    },
  });
  picker.set($('f-bbox').value);
}
