// Commission members an incident can be assigned to, fetched once per session.
import { h } from './dom.js';
import { t } from './i18n.js';
import { assignees } from './api.js';

let people = null;
let loading = null;

export async function loadAssignees() {
  loading ??= assignees()
    .then((list) => {
      people = list;
    })
    .catch(() => {
      people = [];
      loading = null;
    });
  await loading;
  return people;
}

/** Fill a <select> with "nobody" plus the members; called again after the list arrives or the language changes. */
export function assigneeOptions(select, current = select.value) {
  select.replaceChildren(
    h('option', { value: '' }, t('assign.nobody')),
    ...(people ?? []).map((p) =>
      h('option', { value: p.id }, p.displayName ? `${p.displayName} (${p.username})` : p.username),
    ),
  );
  select.value = current ?? '';
}
