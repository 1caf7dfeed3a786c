import { describe, expect, it } from 'vitest';
import { classifyReport } from '../../../src/classify/classifier.ts';
import { loadAgreement } from '../../../src/agreements/index.ts';

const agreement = loadAgreement('libya-2020');
const classify = (narrative: string, placeName: string | null = null) =>
  classifyReport({ narrative, placeName }, agreement);
const ids = (narrative: string, placeName: string | null = null) =>
  classify(narrative, placeName)
    .terms.map((t) => t.id)
    .sort();

// Sentences written for these tests, not taken from the labeled data.
describe('terms (multi-label, en + ar)', () => {
  it.each([
    ['Mortar fire hit a farm east of Bin Jawad overnight, 2 civilians hurt.', ['hostilities']],
    ['قصف مدفعي على مواقع قرب الوشكة فجر اليوم', ['hostilities']],
    ['Two cargo planes unloaded crates of ammunition at Al Khadim airbase.', ['arms_transfer']],
    ['Around 40 Chadian mercenaries set up camp near Umm al-Aranib.', ['mercenary_withdrawal']],
    ['وصول مقاتلين سوريين جدد إلى قاعدة الجفرة', ['mercenary_withdrawal']],
    ['Coastal road closed again at Al-Washka, lorries turned back.', ['road_opening']],
    ['تبادل الأسرى بين الطرفين في الزاوية بإشراف الصليب الأحمر', ['detainee_exchange']],
    ['PFG guards shut the Zueitina terminal, exports halted.', ['oil_facilities']],
    ['لغم أرضي ينفجر بسيارة مدنية قرب عين زارة', ['mines_uxo']],
    ['TV presenter incited viewers to kill "the traitors of the east".', ['hate_speech']],
    ['New trenches and sand berms dug west of Sirte by LAAF engineers.', ['troop_return']],
    ['Wagner crews installing a new radar and air defence battery at Brak.', ['arms_transfer', 'mercenary_withdrawal']],
    ['Road to Sirte still closed; IEDs reported on the shoulder.', ['mines_uxo', 'road_opening']],
    ['Generator repair and fuel allocation for the team office.', ['none']],
    ['Protests in Khartoum over bread prices, not Libya related.', ['none']],
  ])('%s', (text, terms) => {
    expect(ids(text)).toEqual(terms);
  });
  it('does not take "mercenaries" used as an insult for the mercenary term', () => {
    expect(ids('بثت قناة خطاباً يصف الطرف الآخر بالمرتزقة ويدعو إلى قتالهم')).toEqual(['hate_speech']);
  });
  it('treats a foreign conflict as unrelated', () => {
    expect(ids('Heavy shelling reported in Idlib today.', 'Damascus')).toEqual(['none']);
  });
});

describe('stance and negation', () => {
  it.each([
    ['Checkpoint 17: no movement observed, no new positions.', 'troop_return', 'information'],
    ['لم يُرصد أي تحرك عسكري في محيط الهيشة اليوم', 'troop_return', 'information'],
    ['لا توجد عناصر أجنبية في سوق أوباري حسب الدورية', 'mercenary_withdrawal', 'information'],
    ['Units have still not returned to their barracks in Tarhuna.', 'troop_return', 'violation'],
    ['No departures of foreign fighters observed at Watiya despite the deadline.', 'mercenary_withdrawal', 'violation'],
    ['Benina airport reopened; first flights from Misrata landed.', 'road_opening', 'compliance'],
    ['إعادة فتح الطريق بين نالوت وغدامس أمام المدنيين', 'road_opening', 'compliance'],
    ['استئناف التصدير من ميناء الزويتينة', 'oil_facilities', 'compliance'],
    ['الإفراج عن خمسة محتجزين في مصراتة', 'detainee_exchange', 'compliance'],
    ['Syrian fighters leaving Watiya on two transport aircraft.', 'mercenary_withdrawal', 'compliance'],
    ['Foreign fighters relocated from Sirte to Jufra, not a departure.', 'mercenary_withdrawal', 'violation'],
    ['Demining teams cleared the road shoulder at km 30.', 'mines_uxo', 'compliance'],
    ['UXO found near a school in Zawiya, area cordoned off.', 'mines_uxo', 'information'],
  ])('%s', (text, term, stance) => {
    const r = classify(text);
    expect(r.terms.map((t) => t.id)).toContain(term);
    expect(r.stance).toBe(stance);
  });
});

describe('evidence and confidence', () => {
  it('points at the words that decided each term, in the original text', () => {
    const text = 'Heard approx. 6 artillery rounds near Abu Grein; no casualties.';
    const r = classify(text);
    const h = r.terms.find((t) => t.id === 'hostilities')!;
    expect(h.confidence).toBeGreaterThan(0.5);
    expect(h.confidence).toBeLessThanOrEqual(0.99);
    for (const e of h.evidence) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(h.evidence.map((e) => e.text)).toContain('artillery');
  });
  it('maps Arabic evidence through diacritics and tatweel', () => {
    const text = 'قـصْفٌ عنيف على أبوقرين';
    const r = classify(text);
    const e = r.terms[0].evidence[0];
    expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(e.text.startsWith('قـ')).toBe(true);
  });
  // Its speed is measured by `npm run bench` (pipeline), not asserted here on a noisy machine.
  it('is deterministic', () => {
    const text = 'Convoy of 9 buses with armed foreign personnel entered Hun heading to the Jufra airbase.';
    const first = classify(text);
    for (let i = 0; i < 200; i++) expect(classify(text)).toEqual(first);
  });
});
