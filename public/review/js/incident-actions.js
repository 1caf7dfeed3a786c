// What a commission member can do on an incident: change state, assign, correct terms/stance, comment,
// merge another incident into this one (by id or from the nearby ones), split selected reports out.
import { h, flash, carryFlash } from './dom.js';
import { t, label, formatDateTime, formatNumber } from './i18n.js';
import { patchIncident, comment, merge, split, listIncidents, describeError } from './api.js';
import { TERMS, STANCES, TRANSITIONS } from './vocab.js';
import { loadAssignees, assigneeOptions } from './people.js';
import { incidentName } from './badges.js';

let uid = 0;
const field = (text, control) => {
  control.id ||= `act-${++uid}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, text), control);
};

/** Runs an action, reports success or the API's refusal, and reloads the incident on success. */
async function act(button, fn, done, reload) {
  button.disabled = true;
  try {
    const result = await fn();
    flash(done(result));
    await reload(result);
  } catch (err) {
    flash(describeError(err, t), 'error');
  } finally {
    button.disabled = false;
  }
}

function stateForm(i, reload) {
  const next = TRANSITIONS[i.state] ?? [];
  const select = h(
    'select',
    { 'data-key': 'state' },
    next.map((s) => h('option', { value: s }, label('state', s))),
  );
  const note = h('input', { dir: 'auto', maxlength: 500, 'data-key': 'state-note' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('action.changeState'));
  return h(
    'form',
    {
      class: 'action',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          act(
            button,
            () => patchIncident(i.id, { state: select.value, note: note.value.trim() || undefined }),
            () => t('action.stateChanged', { state: label('state', select.value) }),
            reload,
          );
        },
      },
    },
    h('h3', {}, t('action.state')),
    field(t('action.newState'), select),
    field(t('action.note'), note),
    button,
  );
}

function assignForm(i, reload) {
  const select = h('select', { 'data-key': 'assignee' });
  assigneeOptions(select, i.assignee?.id ?? '');
  // The reader's own pick stands when the list arrives late.
  loadAssignees().then(() => assigneeOptions(select, select.dataset.touched ? select.value : (i.assignee?.id ?? '')));
  const button = h('button', { type: 'submit' }, t('bulk.assign'));
  return h(
    'form',
    {
      class: 'action',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          act(
            button,
            () => patchIncident(i.id, { assigneeId: select.value || null }),
            () => t('action.assigned'),
            reload,
          );
        },
      },
    },
    h('h3', {}, t('action.assign')),
    field(t('bulk.assignee'), select),
    button,
  );
}

function correctForm(i, reload) {
  const effective = new Set(i.correction?.terms ?? i.terms ?? []);
  const boxes = TERMS.map((id) =>
    h('input', { type: 'checkbox', value: id, checked: effective.has(id), id: `corr-${id}`, 'data-key': `term-${id}` }),
  );
  const stance = h(
    'select',
    { 'data-key': 'stance' },
    STANCES.map((s) => h('option', { value: s }, label('stance', s))),
  );
  stance.value = i.correction?.stance ?? i.stance ?? 'information';
  const note = h('input', { dir: 'auto', maxlength: 500, 'data-key': 'correction-note' });
  const button = h('button', { type: 'submit' }, t('action.saveCorrection'));
  return h(
    'form',
    {
      class: 'action',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          const terms = boxes.filter((b) => b.checked).map((b) => b.value);
          act(
            button,
            () => patchIncident(i.id, { terms, stance: stance.value, note: note.value.trim() || undefined }),
            () => t('action.corrected'),
            reload,
          );
        },
      },
    },
    h('h3', {}, t('action.correct')),
    h(
      'fieldset',
      { class: 'terms-pick' },
      h('legend', {}, t('filters.term')),
      boxes.map((b) => h('label', { for: b.id }, b, ' ', label('term', b.value))),
    ),
    field(t('filters.stance'), stance),
    field(t('action.note'), note),
    button,
  );
}

function commentForm(i, reload) {
  const body = h('textarea', { rows: 3, dir: 'auto', required: true, maxlength: 5000, 'data-key': 'comment' });
  const button = h('button', { type: 'submit' }, t('action.addComment'));
  return h(
    'form',
    {
      class: 'action',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          if (!body.value.trim()) return;
          act(
            button,
            () => comment(i.id, body.value.trim()),
            () => t('action.commented'),
            reload,
          );
        },
      },
    },
    h('h3', {}, t('action.comment')),
    field(t('action.commentBody'), body),
    button,
  );
}

// "Nearby" = the same few kilometres and days; a wider net would bury the likely duplicates.
const NEAR_DEG = 0.2;
const NEAR_DAYS = 3;

/** The merge's own words for an id that names no incident or several (the API says which in `reason`). */
function mergeError(err, otherId) {
  const id = otherId.replace(/^#/, '').slice(0, 36);
  const said = (userMessage) => Object.assign(new Error(userMessage), { userMessage });
  if (err?.status === 404) return said(t('action.mergeUnknown', { id }));
  if (err?.status === 409 && err.body?.error?.reason === 'ambiguous_id')
    return said(t('action.mergeAmbiguous', { id }));
  return err;
}

function mergeForm(i, reload) {
  // The short id shown everywhere ("#4f2a0c1d") or the full id; the server finds the one incident it names.
  const other = h('input', {
    'data-key': 'merge-other',
    dir: 'ltr',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: '#4f2a0c1d',
    pattern: '#?[0-9a-fA-F]{8}(-[0-9a-fA-F\\-]{0,27})?',
  });
  const button = h('button', { type: 'submit' }, t('action.merge'));
  const nearby = h('ul', { class: 'nearby', 'aria-live': 'polite' });
  const doMerge = (otherId, btn) => {
    if (!confirm(t('action.confirmMerge'))) return;
    act(
      btn,
      () =>
        merge(i.id, otherId).catch((err) => {
          throw mergeError(err, otherId);
        }),
      () => t('action.merged'),
      reload,
    );
  };
  const find = h(
    'button',
    {
      type: 'button',
      on: {
        click: async () => {
          if (!Number.isFinite(i.lat)) {
            nearby.replaceChildren(h('li', { class: 'note' }, t('action.noPosition')));
            return;
          }
          const day = 86400000;
          try {
            const page = await listIncidents({
              bbox: [i.lon - NEAR_DEG, i.lat - NEAR_DEG, i.lon + NEAR_DEG, i.lat + NEAR_DEG]
                .map((n) => n.toFixed(4))
                .join(','),
              from: new Date(new Date(i.firstObservedAt).getTime() - NEAR_DAYS * day).toISOString(),
              to: new Date(new Date(i.lastObservedAt).getTime() + NEAR_DAYS * day).toISOString(),
              limit: 20,
            });
            const others = page.items.filter((x) => x.id !== i.id);
            nearby.replaceChildren(
              ...(others.length
                ? others.map((x) => {
                    const b = h(
                      'button',
                      { type: 'button', on: { click: () => doMerge(x.id, b) } },
                      t('action.mergeThis'),
                    );
                    return h(
                      'li',
                      {},
                      h('a', { href: `#incident/${x.id}`, dir: 'auto' }, incidentName(x)),
                      ' ',
                      h(
                        'span',
                        { class: 'note' },
                        `${formatDateTime(x.firstObservedAt)} · ${t('incident.reportCount', { count: x.reportCount })}`,
                      ),
                      ' ',
                      b,
                    );
                  })
                : [h('li', { class: 'note' }, t('action.noneNearby'))]),
            );
          } catch (err) {
            nearby.replaceChildren(h('li', { class: 'error' }, describeError(err, t)));
          }
        },
      },
    },
    t('action.findNearby'),
  );
  return h(
    'form',
    {
      class: 'action',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          if (other.value.trim()) doMerge(other.value.trim(), button);
        },
      },
    },
    h('h3', {}, t('action.mergeTitle')),
    h('p', { class: 'hint' }, t('action.mergeHint')),
    field(t('action.otherId'), other),
    h('div', { class: 'actions' }, button, find),
    nearby,
  );
}

function splitForm(i, picked) {
  const button = h('button', { type: 'submit' }, t('action.split'));
  return h(
    'form',
    {
      class: 'action',
      on: {
        submit: (ev) => {
          ev.preventDefault();
          const ids = [...picked];
          if (ids.length === 0 || ids.length >= i.reports.length) {
            flash(t('action.splitPick'), 'error');
            return;
          }
          act(
            button,
            () => split(i.id, ids),
            () => t('action.splitDone', { count: formatNumber(ids.length) }),
            async (res) => {
              picked.clear();
              // The message goes with the reviewer to the new incident, naming where its reports came from.
              if (res?.id) {
                carryFlash(t('action.splitLanded', { count: formatNumber(ids.length), id: `#${i.id.slice(0, 8)}` }));
                location.hash = `#incident/${res.id}`;
              }
            },
          );
        },
      },
    },
    h('h3', {}, t('action.splitTitle')),
    h('p', { class: 'hint' }, t('action.splitHint')),
    button,
  );
}

function markTouched(ev) {
  if (ev.target?.dataset?.key) ev.target.dataset.touched = 'true';
}

/** The values the reader typed or picked in the panel, and where the caret was: carried over a live refresh. */
export function touchedControls(panel) {
  const active = document.activeElement;
  const kept = { values: [], focus: null };
  for (const el of panel?.querySelectorAll('[data-key]') ?? []) {
    if (el.dataset.touched) kept.values.push({ key: el.dataset.key, value: el.value, checked: el.checked });
    if (el === active)
      kept.focus = {
        key: el.dataset.key,
        start: typeof el.selectionStart === 'number' ? el.selectionStart : null,
        end: typeof el.selectionEnd === 'number' ? el.selectionEnd : null,
      };
  }
  return kept;
}

/**
 * Puts what touchedControls kept into a freshly drawn panel; a choice the incident no longer offers is dropped. A
 * panel greyed out (the incident was merged away) still shows the text, for the reader to copy.
 */
export function restoreControls(panel, kept) {
  const byKey = (key) => panel.querySelector(`[data-key="${CSS.escape(key)}"]`);
  for (const { key, value, checked } of kept.values) {
    const el = byKey(key);
    if (!el) continue;
    if (el.type === 'checkbox') el.checked = checked;
    else if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === value)) continue;
    else el.value = value;
    el.dataset.touched = 'true';
  }
  const focus = kept.focus && byKey(kept.focus.key);
  if (focus && !focus.disabled) {
    focus.focus({ preventScroll: true });
    if (kept.focus.start !== null) focus.setSelectionRange?.(kept.focus.start, kept.focus.end);
  }
}

export function actionsPanel(i, { reload, picked }) {
  // An incident merged into another takes no more actions (the API would answer 409): the panel stays, greyed out,
  // so the reviewer sees why nothing can be done here.
  if (i.mergedIntoId) {
    const panel = actionsPanel({ ...i, mergedIntoId: null }, { reload, picked });
    for (const el of panel.querySelectorAll('button, input, select, textarea')) el.disabled = true;
    panel.classList.add('inactive');
    panel.setAttribute('aria-disabled', 'true');
    return panel;
  }
  return h(
    'aside',
    {
      class: 'incident-actions',
      'aria-label': t('action.label'),
      // What the reader has touched is theirs: a live refresh of the page carries it over (incident.js).
      on: { input: markTouched, change: markTouched },
    },
    stateForm(i, reload),
    assignForm(i, reload),
    correctForm(i, reload),
    commentForm(i, reload),
    mergeForm(i, reload),
    splitForm(i, picked),
  );
}
