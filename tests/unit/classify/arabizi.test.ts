// Arabizi (Libyan Arabic typed in Latin letters, digits for the letters Latin lacks) and Arabic script meet on a
// consonant skeleton, so what the model learned from Arabic-script reports reaches a writer who types Arabizi.
import { describe, expect, it } from 'vitest';
import { consonantSkeleton, isArabizi, reportFeatures, words } from '../../../src/classify/model/features.ts';
import { classifyWithRules } from '../../../src/classify/classifier.ts';
import { normalizeText } from '../../../src/classify/normalize.ts';
import { loadAgreement } from '../../../src/agreements/index.ts';

const agreement = loadAgreement('libya-2020');
const vectorOf = (narrative: string) => {
  const { result, evidence } = classifyWithRules({ narrative, placeName: null, partyAlleged: null }, agreement);
  return new Set(
    reportFeatures({ text: result.normalizedText, placeName: null, partyAlleged: null, rules: evidence }).base.index,
  );
};

describe('consonant skeleton', () => {
  it.each([
    ['tari9', 'الطريق'],
    ['7ashd', 'حشد'],
    ['kbeer', 'كبير'],
    ['ta7arokat', 'تحركات'],
    ['sa7ili', 'الساحلي'],
    ['mataar', 'المطار'],
    ['msal7a', 'مسلحة'],
    ['9rib', 'قريب'],
    ['sma3na', 'سمعنا'],
    ['5arjo', 'خرجوا'],
    ['shel', 'شال'],
    // The article typed onto its word, and a final vowel-ha, as the Arabic side drops them.
    ['elmataar', 'المطار'],
    ['el3assa', 'العصا'],
    ['fel7arb', 'الحرب'],
    ['welsoug', 'والسوق'],
    ['mantiqah', 'منطقة'],
    ['7arakah', 'حركة'],
    ['lelmataar', 'للمطار'],
    // A word that only looks like one with an article keeps its root: b-l-G, b-l-d.
    ['ballghu', 'بلغو'],
    ['ballaghna', 'بلغنا'],
    ['baldiya', 'بلدية'],
  ])('%s and %s are one skeleton', (arabizi, arabic) => {
    const k = consonantSkeleton(arabizi);
    expect(k.length).toBeGreaterThanOrEqual(2);
    expect(consonantSkeleton(normalizeText(arabic))).toBe(k);
  });
  it('keeps apart words whose consonants differ', () => {
    expect(consonantSkeleton('7arb')).not.toBe(consonantSkeleton('3arab'));
    expect(consonantSkeleton(normalizeText('مطار'))).not.toBe(consonantSkeleton(normalizeText('مصرف')));
  });
});

describe('Arabizi detection', () => {
  it.each([
    'fama 7ashd kbeer 3and bawabat el 27 w ta7arokat sayarat msal7a',
    'sma3na rmayat 9rib el mataar',
    'el tari9 el sa7ili ma7loul men el sob7',
    // One word with a letter digit beside an Arabizi function word.
    'el tari9 msakar',
  ])('reads "%s" as Arabizi', (t) => expect(isArabizi(words(normalizeText(t)))).toBe(true));
  it.each([
    'Convoy of the 7th brigade at 6am: T72 tanks and an MQ9 drone seen, 9km west of Sirte.',
    'Su24 and MiG29 aircraft at Jufra, 3rd sighting this week; B2 not confirmed.',
    // Designators, casualty and vehicle counts, sitrep abbreviations, French ordinals: English and French reports.
    'MQ9 drone seen, 9km W of Sirte.',
    'Convoy w/ TB2 overhead, RPG7 and SPG9 teams at the berm.',
    '3KIA 2WIA, 3vehs and 2pax, 5kms from the gate, 2IC on scene.',
    'la 2eme et la 3eme compagnie sont arrivées.',
  ])('does not read "%s" as Arabizi', (t) => expect(isArabizi(words(normalizeText(t)))).toBe(false));
});

describe('features', () => {
  it('an Arabizi report shares features with the same report in Arabic script', () => {
    const baseline = vectorOf('.');
    const arabizi = vectorOf('sma3na rmayat 9rib el mataar w fama 7ashd kbeer');
    const arabic = vectorOf('سمعنا رمايات قريب المطار وفما حشد كبير');
    const shared = [...arabizi].filter((i) => arabic.has(i) && !baseline.has(i));
    expect(shared.length).toBeGreaterThanOrEqual(5);
  });
  it('an English word gets no skeleton: "board" and "برد" share nothing (both would be b-r-d)', () => {
    const baseline = vectorOf('.');
    const english = vectorOf('board');
    expect([...vectorOf('برد')].filter((i) => english.has(i) && !baseline.has(i))).toEqual([]);
    // The same consonants typed as Arabizi in an Arabizi report do meet the Arabic word.
    const arabizi = vectorOf('sma3na 7ashd bard');
    expect([...vectorOf('برد')].filter((i) => arabizi.has(i) && !baseline.has(i)).length).toBeGreaterThan(0);
  });
});
