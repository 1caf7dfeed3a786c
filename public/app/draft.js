// The report being written is kept on the device as it is typed, so a reload, a closed tab or a phone that kills the
// browser in the background does not lose it. Only the typed fields: chosen files cannot be kept by a page, and a
// photo is taken again in a moment while a narrative is not written again. Cleared once the report is handed to
// the outbox, and on sign-out (the next person on a shared phone must not see it).
const KEY = 'observer.draft';
const FIELDS = ['narrative', 'observedAt', 'lat', 'lon', 'accuracyM', 'placeName', 'partyAlleged'];
const CASUALTIES = ['killed', 'injured', 'missing', 'detained'];
const $ = (id) => document.getElementById(id);

export function saveDraft() {
  const values = Object.fromEntries([...FIELDS, ...CASUALTIES].map((id) => [id, $(id).value]));
  const typed = $('narrative').value.trim() || $('placeName').value.trim();
  try {
    if (typed) localStorage.setItem(KEY, JSON.stringify({ savedAt: Date.now(), values }));
    else localStorage.removeItem(KEY);
  } catch {
    /* storage full or blocked: the form still works, only without a draft */
  }
}

/** Puts a kept draft back into the form; true when there was one. */
export function restoreDraft() {
  let draft;
  try {
    draft = JSON.parse(localStorage.getItem(KEY) ?? 'null');
  } catch {
    draft = null;
  }
  if (!draft?.values) return false;
  for (const [id, value] of Object.entries(draft.values)) if ($(id) && typeof value === 'string') $(id).value = value;
  return true;
}

export function discardDraft() {
  localStorage.removeItem(KEY);
}
