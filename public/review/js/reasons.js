// Dedup's reasons arrive as English phrases ("distance 0.2 km", "same place harawa"); they are stored that way
// (the audit and the learned models read them), so the page recognises each phrase and says it in the reader's
// language. A phrase the page does not know is shown as sent, marked English, rather than dropped.
import { t, label, language, formatNumber } from './i18n.js';

const ID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const NUM = '(-?[\\d.]+)';
const num = (s) => formatNumber(Number(s), { maximumFractionDigits: 2 });
const list = (items) => items.join(language() === 'ar' ? '، ' : ', ');
const terms = (csv) =>
  list(
    csv
      .split(/,\s*/)
      .filter(Boolean)
      .map((x) => label('term', x)),
  );

function vetoText(veto) {
  const days = /^different days \(([\d.]+) h apart\)$/.exec(veto);
  if (days) return t('reason.veto.differentDays', { hours: num(days[1]) });
  const known = {
    'routine reports of different days': 'reason.veto.routine',
    'not ceasefire-related': 'reason.veto.notRelated',
    'different terms': 'reason.veto.differentTerms',
  };
  return known[veto] ? t(known[veto]) : veto;
}

/** [pattern, (match, places) => text]: one line per phrase dedup writes (src/dedup/dedup.ts, similarity.ts). */
const PHRASES = [
  [`^distance ${NUM} km$`, (m) => t('reason.distance', { km: num(m[1]) })],
  [`^within ${NUM} km$`, (m) => t('reason.withinKm', { km: num(m[1]) })],
  [`^within ${NUM} h$`, (m) => t('reason.withinHours', { hours: num(m[1]) })],
  [
    `^time gap ${NUM} h \\(the later report dates its event back\\)$`,
    (m) => t('reason.timeGapBack', { hours: num(m[1]) }),
  ],
  [`^time gap ${NUM} h$`, (m) => t('reason.timeGap', { hours: num(m[1]) })],
  ['^same place (.+)$', (m, places) => t('reason.samePlace', { place: placeName(m[1], places) })],
  [
    '^both name (.+)$',
    (m, places) => t('reason.bothName', { places: list(m[1].split(', ').map((p) => placeName(p, places))) }),
  ],
  ['^place names alike \\((.*)/(.*)\\)$', (m) => t('reason.namesAlike', { a: m[1], b: m[2] })],
  ['^same terms$', () => t('reason.sameTerms')],
  ['^same terms (.+)$', (m) => t('reason.sameTermsOf', { terms: terms(m[1]) })],
  ['^shared terms (.+)$', (m) => t('reason.sharedTerms', { terms: terms(m[1]) })],
  ['^different terms (.*)/(.*)$', (m) => t('reason.differentTerms', { a: terms(m[1]), b: terms(m[2]) })],
  ['^one is not ceasefire-related$', () => t('reason.oneNotRelated')],
  ['^same stance (\\w+)$', (m) => t('reason.sameStance', { stance: label('stance', m[1]) })],
  [
    '^stance differs \\((\\w+)/(\\w+)\\)$',
    (m) => t('reason.stanceDiffers', { a: label('stance', m[1]), b: label('stance', m[2]) }),
  ],
  [
    '^opposite stance \\((\\w+)/(\\w+)\\)$',
    (m) => t('reason.stanceOpposite', { a: label('stance', m[1]), b: label('stance', m[2]) }),
  ],
  ['^shared numbers (.+)$', (m) => t('reason.sharedNumbers', { numbers: list(m[1].split(',')) })],
  ['^different numbers$', () => t('reason.differentNumbers')],
  ['^same nationality (.+)$', (m) => t('reason.sameNationality', { list: m[1] })],
  ['^different nationalities (.*)/(.*)$', (m) => t('reason.differentNationalities', { a: m[1], b: m[2] })],
  ['^different parties$', () => t('reason.differentParties')],
  [
    '^different parties (.*)/(.*)$',
    (m) => t('reason.differentPartiesOf', { a: label('party', m[1]), b: label('party', m[2]) }),
  ],
  ['^shared details (.+)$', (m) => t('reason.sharedDetails', { details: m[1] })],
  [`^match probability ${NUM}$`, (m) => t('reason.probability', { p: num(m[1]) })],
  ['^same attachment$', () => t('reason.sameAttachment')],
  ['^first report of the incident$', () => t('reason.firstReport')],
  ['^no candidate incident nearby in space and time$', () => t('reason.noCandidate')],
  [`^ties incident ${ID} to this one: merged$`, (m) => t('reason.tiesMerged', { id: m[1] })],
  [
    `^also matches incident ${ID} \\(score ${NUM}\\): possibly the same incident, merge if so$`,
    (m) => t('reason.alsoMatches', { id: m[1], score: num(m[2]) }),
  ],
  [
    `^new incident: closest ${ID} scored ${NUM} < ${NUM}$`,
    (m) => t('reason.closestBelow', { id: m[1], score: num(m[2]), threshold: num(m[3]) }),
  ],
  [
    `^new incident: nearby ${ID} ruled out \\((.+)\\)$`,
    (m) => t('reason.ruledOut', { id: m[1], veto: vetoText(m[2]) }),
  ],
].map(([re, say]) => [new RegExp(re), say]);

function placeName(id, places) {
  const p = places?.[id];
  if (!p) return id;
  return language() === 'ar' ? p.nameAr : p.name;
}

/** { text, known }: the reason in the page's language, or the phrase as sent when it is not one dedup writes. */
export function reasonText(reason, places = {}) {
  for (const [re, say] of PHRASES) {
    const m = re.exec(reason);
    if (m) return { text: say(m, places), known: true };
  }
  return { text: reason, known: false };
}
