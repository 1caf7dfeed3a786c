// Building DOM without innerHTML: narratives and comments are untrusted text from the field.
export const $ = (id) => document.getElementById(id);

/** h('a', { href, class: 'x', dataset: {...}, on: { click } }, child, 'text', [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
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
