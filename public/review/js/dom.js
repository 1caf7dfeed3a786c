// Building DOM without innerHTML: narratives and comments are untrusted text from the field.
export const $ = (id) => document.getElementById(id);

// Attributes that load or run something: a URL from data must be a link within the app or to http(s), and
// markup or handlers never arrive as attribute strings (events go through `on`).
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'poster', 'xlink:href']);
const SAFE_URL = /^(?:[#/?.]|https?:|blob:)/i;
const FORBIDDEN_ATTR = /^(?:on.+|srcdoc|innerhtml|outerhtml)$/i;

/** h('a', { href, class: 'x', dataset: {...}, on: { click } }, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (FORBIDDEN_ATTR.test(k)) throw new Error(`h(): attribute ${k} is not allowed`);
    if (URL_ATTRS.has(k.toLowerCase()) && !SAFE_URL.test(String(v).trim())) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function flash(message, kind = 'ok') {
  const el = $('flash');
  el.textContent = message;
  el.hidden = !message;
  el.classList.toggle('flash-error', kind === 'error');
}

// A message for the page a hash change is about to show (a split lands on the new incident): the router clears
// the flash on every change, then shows what was carried.
let carried = null;
export const carryFlash = (message, kind = 'ok') => {
  carried = { message, kind };
};
export function showCarriedFlash() {
  if (carried) flash(carried.message, carried.kind);
  carried = null;
}

// A filtered list reloads on every change of its filter, and answers can come back out of order (a slow "all" after
// "dead" was picked). Each load takes a ticket: only the latest may draw, and the table is aria-busy until it has.
export function listLoads(tableId) {
  let latest = 0;
  return () => {
    const ticket = ++latest;
    $(tableId).setAttribute('aria-busy', 'true');
    return {
      current: () => ticket === latest,
      end: () => ticket === latest && $(tableId).setAttribute('aria-busy', 'false'),
    };
  };
}
