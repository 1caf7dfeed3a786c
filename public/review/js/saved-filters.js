// Saved filters beside a filter form (the queue's and the reports table's): the member's named filters of that view,
// kept on the server (GET/POST/PATCH/DELETE /api/saved-filters) so they follow the member to any browser. One click
// applies one; each can be renamed or deleted; the current filter can be saved under a new name. The filter in use
// is marked.
import { h } from './dom.js';
import { t } from './i18n.js';
import { HttpError, describeError, listSavedFilters, saveFilter, patchSavedFilter, deleteSavedFilter } from './api.js';

/** Query values as a comparable text: empty values dropped, names sorted, values as strings. */
const canonical = (q) =>
  JSON.stringify(
    Object.entries(q ?? {})
      .filter(([, v]) => v !== undefined && v !== null && String(v) !== '')
      .map(([k, v]) => [k, String(v)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/** A refusal in the page's words: a taken name, the limit, the fields the API names; else its message. */
function refusal(err, name) {
  const e = err instanceof HttpError ? err.body?.error : null;
  if (e?.reason === 'name_taken') return t('saved.nameTaken', { name });
  if (e?.reason === 'limit_reached') return t('saved.limit', { limit: e.limit });
  if (e?.issues?.length)
    return t('saved.invalid', { issues: e.issues.map((i) => `${i.field}: ${i.reason}`).join('; ') });
  return describeError(err, t);
}

/**
 * `view`: 'queue' or 'reports'; `root`: the section to fill (its heading stays); `current()`: the query in use;
 * `apply(query)`: puts a saved query in use.
 */
export function savedFilters({ view, root, current, apply }) {
  const state = { items: [], loaded: false, renaming: null, message: '', error: false, ticket: 0 };
  const body = h('div', { class: 'saved-body' });
  root.append(body);
  const id = (part) => `${view}-saved-${part}`;

  const say = (message, error = false) => {
    state.message = message;
    state.error = error;
    render();
  };

  async function load() {
    const ticket = ++state.ticket;
    try {
      const { items } = await listSavedFilters(view);
      if (ticket !== state.ticket) return;
      state.items = items;
      state.loaded = true;
    } catch (err) {
      if (ticket === state.ticket) state.message = describeError(err, t);
    }
    render();
  }

  async function change(run, done) {
    try {
      await run();
      state.renaming = null;
      await load();
      say(done);
    } catch (err) {
      say(err.refusal ?? describeError(err, t), true);
    }
  }
  const refused = (name) => (err) => {
    err.refusal = refusal(err, name);
    throw err;
  };

  function renameForm(f) {
    const input = h('input', {
      id: id(`rename-${f.id}`),
      value: f.name,
      maxlength: 80,
      dir: 'auto',
      autocomplete: 'off',
      required: true,
    });
    const submit = (ev) => {
      ev.preventDefault();
      const name = input.value.trim();
      if (!name) return say(t('saved.needName'), true);
      change(() => patchSavedFilter(f.id, { name }).catch(refused(name)), t('saved.renamed', { name }));
    };
    queueMicrotask(() => input.focus());
    return h(
      'form',
      { class: 'saved-rename', on: { submit }, novalidate: true },
      h('label', { for: input.id, class: 'visually-hidden' }, t('saved.newName')),
      input,
      h('button', { type: 'submit', class: 'primary' }, t('saved.renameSave')),
      h(
        'button',
        {
          type: 'button',
          on: {
            click: () => {
              state.renaming = null;
              render();
            },
          },
        },
        t('saved.cancel'),
      ),
    );
  }

  function item(f, inUse) {
    if (state.renaming === f.id) return h('li', { dataset: { id: f.id } }, renameForm(f));
    return h(
      'li',
      { dataset: { id: f.id }, class: inUse ? 'in-use' : '' },
      h(
        'button',
        {
          type: 'button',
          class: 'saved-apply',
          dir: 'auto',
          'aria-label': t('saved.apply', { name: f.name }),
          on: {
            click: () => {
              apply(f.query);
              say(t('saved.applied', { name: f.name }));
            },
          },
        },
        f.name,
      ),
      inUse ? h('span', { class: 'tag in-use-tag' }, t('saved.current')) : null,
      h(
        'span',
        { class: 'saved-tools' },
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            'aria-label': t('saved.renameLabel', { name: f.name }),
            on: {
              click: () => {
                state.renaming = f.id;
                state.message = '';
                render();
              },
            },
          },
          t('saved.rename'),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            'aria-label': t('saved.deleteLabel', { name: f.name }),
            on: {
              click: () => {
                if (!confirm(t('saved.deleteConfirm', { name: f.name }))) return;
                change(() => deleteSavedFilter(f.id), t('saved.deleted', { name: f.name }));
              },
            },
          },
          t('saved.delete'),
        ),
      ),
    );
  }

  // The form and the message stay the same elements: a name being typed survives a redraw, and the live region is
  // announced when its text changes.
  const nameInput = h('input', { id: id('name'), name: 'name', maxlength: 80, dir: 'auto', autocomplete: 'off' });
  const nameLabel = h('label', { for: nameInput.id });
  const saveButton = h('button', { type: 'submit' });
  const newForm = h('form', { class: 'saved-new', novalidate: true }, nameLabel, nameInput, saveButton);
  newForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return say(t('saved.needName'), true);
    change(() => saveFilter({ view, name, query: current() }).catch(refused(name)), t('saved.saved', { name })).then(
      () => {
        if (!state.error) nameInput.value = '';
      },
    );
  });
  const list = h('div', { class: 'saved-list-wrap' });
  const message = h('p', { class: 'saved-message', role: 'status', 'aria-live': 'polite' });
  body.append(list, message, newForm);

  function render() {
    const now = canonical(current());
    list.replaceChildren(
      state.items.length
        ? h(
            'ul',
            { class: 'saved-list' },
            state.items.map((f) => item(f, canonical(f.query) === now)),
          )
        : h('p', { class: 'note' }, state.loaded ? t('saved.none') : t('queue.loading')),
    );
    message.textContent = state.message;
    message.className = `saved-message ${state.error ? 'error' : 'note'}`;
    nameLabel.textContent = t('saved.name');
    saveButton.textContent = t('saved.save');
  }

  return {
    /** Reads the member's filters of this view (each time the view opens: another browser may have changed them). */
    load,
    /** Draws again: after the filter in use changed, or the language. */
    render,
  };
}
