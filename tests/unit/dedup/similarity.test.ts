import { describe, expect, it } from 'vitest';
import { compareReports } from '../../../src/dedup/similarity.ts';
import { DEFAULT_THRESHOLD } from '../../../src/dedup/dedup.ts';
import { makeFeatures } from '../../helpers/factories.ts';

const base = { observedAt: '2021-02-03T09:00:00+02:00', lat: 31.45, lon: 15.25, placeName: 'Abu Grein' };

describe('similarity signals', () => {
  it('scores an English and an Arabic report of one shelling high, with readable reasons', () => {
    const en = makeFeatures({
      ...base,
      narrative: 'Approx. 6 artillery rounds impacted 2 km south of Abu Grein junction.',
    });
    const ar = makeFeatures({
      ...base,
      observedAt: '2021-02-03T10:30:00+02:00',
      lat: 31.44,
      lon: 15.27,
      placeName: 'أبوقرين',
      narrative: 'سقوط ست قذائف مدفعية جنوب بوابة أبوقرين.',
    });
    const p = compareReports(ar, en);
    expect(p.veto).toBeNull();
    expect(p.score).toBeGreaterThan(3.5);
    expect(p.reasons).toEqual(expect.arrayContaining(['same terms', 'same place abu_grein', 'shared numbers 6']));
    expect(p.reasons.some((r) => /^distance \d/.test(r))).toBe(true);
    expect(p.reasons.some((r) => /^time gap 1.5 h$/.test(r))).toBe(true);
  });
  it('an identical attachment decides on its own', () => {
    const a = makeFeatures({ ...base, narrative: 'Photo of the checkpoint.', attachmentHashes: ['abc'] });
    const b = makeFeatures({
      ...base,
      observedAt: '2021-02-04T20:00:00+02:00',
      placeName: null,
      lat: null,
      lon: null,
      narrative: 'صورة',
      attachmentHashes: ['abc'],
    });
    expect(compareReports(b, a)).toMatchObject({ score: 10, reasons: ['same attachment'] });
  });
  it('vetoes different days, opposite stances and unrelated terms', () => {
    const a = makeFeatures({ ...base, narrative: 'Abu Grein gate closed, civilians turned back.' });
    const nextDay = makeFeatures({
      ...base,
      observedAt: '2021-02-04T09:05:00+02:00',
      narrative: 'Abu Grein gate closed, civilians turned back.',
    });
    const reopened = makeFeatures({
      ...base,
      observedAt: '2021-02-03T15:00:00+02:00',
      narrative: 'Abu Grein gate reopened, civilian cars passing.',
    });
    const shelling = makeFeatures({
      ...base,
      observedAt: '2021-02-03T10:00:00+02:00',
      narrative: 'Mortar rounds landed near Abu Grein.',
    });
    expect(compareReports(nextDay, a).veto).toMatch(/different days/);
    expect(compareReports(reopened, a).veto).toMatch(/opposite stance/);
    // Different event types clearly stated an hour apart at one place: not a veto any more (a classifier
    // error must not split one event), but far under the joining threshold.
    const p = compareReports(shelling, a);
    expect(p.veto === 'different terms' || p.score < DEFAULT_THRESHOLD).toBe(true);
    const elsewhere = makeFeatures({
      ...base,
      lat: 31.2,
      lon: 16.6,
      placeName: 'Sirte',
      narrative: 'Mortar rounds landed near the port.',
    });
    expect(compareReports(elsewhere, a).veto).toBe('different terms');
  });
  it('joins two reports of one event whose terms differ when place, time and specifics agree', () => {
    const a = makeFeatures({
      ...base,
      narrative:
        'Five technicals and two APCs left the forward position east of Abu Grein at 0800, 12 fighters aboard.',
    });
    const b = makeFeatures({
      ...base,
      observedAt: '2021-02-03T10:00:00+02:00',
      lat: 31.46,
      lon: 15.26,
      narrative: 'خمس سيارات مسلحة ومدرعتان غادرت الموقع شرق أبوقرين صباحاً وعلى متنها 12 مقاتلاً.',
    });
    const p = compareReports(b, a);
    expect(p.veto).toBeNull();
  });
  it('penalises different nationalities and counts', () => {
    const a = makeFeatures({ ...base, narrative: 'About 60 Chadian fighters camped near the junction.' });
    const b = makeFeatures({
      ...base,
      observedAt: '2021-02-03T12:00:00+02:00',
      narrative: 'About 20 Sudanese fighters camped near the junction.',
    });
    const p = compareReports(b, a);
    expect(p.reasons).toEqual(
      expect.arrayContaining(['different nationalities sudanese/chadian', 'different numbers']),
    );
  });
  it('keeps daily routine reports of one gate on different calendar days apart, even with "yesterday evening"', () => {
    const d1 = makeFeatures({
      ...base,
      observedAt: '2021-02-03T09:00:00+02:00',
      narrative:
        'Daily report from the Abu Grein gate: quiet, 3 technicals at the post as usual, civilian traffic normal.',
    });
    const d2 = makeFeatures({
      ...base,
      observedAt: '2021-02-04T09:05:00+02:00',
      narrative:
        'Daily report from the Abu Grein gate: quiet; yesterday evening 2 more technicals came, now 5 at the post. Civilian traffic normal.',
    });
    expect(compareReports(d2, d1).veto).toMatch(/routine/);
  });
  it('joins a night strike and the next morning site visit a few km away across midnight', () => {
    const night = makeFeatures({
      observedAt: '2021-02-03T23:20:00+02:00',
      lat: 29.05,
      lon: 15.9,
      placeName: 'Hun',
      narrative: 'Loud explosion near the Hun-Waddan road at 2310L; locals say a drone struck a pickup.',
    });
    const morning = makeFeatures({
      observedAt: '2021-02-04T07:10:00+02:00',
      lat: 29.09,
      lon: 15.93,
      placeName: 'Hun',
      narrative:
        'Site visit: burnt pickup and a small crater by the Hun-Waddan road, consistent with a drone strike; one driver wounded.',
    });
    const p = compareReports(morning, night);
    expect(p.veto).toBeNull();
    expect(p.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    const nextNight = makeFeatures({
      observedAt: '2021-02-05T07:10:00+02:00',
      lat: 29.09,
      lon: 15.93,
      placeName: 'Hun',
      narrative: 'Another drone strike on a pickup by the Hun-Waddan road at dawn.',
    });
    expect(compareReports(nextNight, night).veto).toMatch(/different days/);
  });
  it('a morning report dating its event to the previous evening is not penalised for the overnight gap', () => {
    const evening = makeFeatures({
      observedAt: '2021-02-07T21:40:00+02:00',
      lat: 29.11,
      lon: 15.95,
      placeName: 'Hun',
      narrative: 'Team heard several mortar rounds land east of Hun around 2130L, origin not known.',
    });
    const morning = makeFeatures({
      observedAt: '2021-02-08T07:20:00+02:00',
      lat: null,
      lon: null,
      placeName: 'هون',
      narrative: 'سكان في هون يتحدثون عن سقوط قذائف هاون شرق المدينة مساء أمس دون إصابات.',
    });
    const sameNoBackRef = makeFeatures({
      observedAt: '2021-02-08T07:20:00+02:00',
      lat: null,
      lon: null,
      placeName: 'هون',
      narrative: 'سكان في هون يتحدثون عن سقوط قذائف هاون شرق المدينة دون إصابات.',
    });
    const p = compareReports(morning, evening);
    expect(p.reasons.some((r) => /dates its event back/.test(r))).toBe(true);
    expect(p.score).toBeGreaterThan(compareReports(sameNoBackRef, evening).score);
  });
  it('a wrong term on one report of a tight pair (same place, an hour apart, shared counts and details) costs less than a plain mismatch', () => {
    const a = makeFeatures({
      observedAt: '2021-02-09T10:00:00+02:00',
      lat: 31.2,
      lon: 16.5,
      placeName: 'Sirte',
      narrative: 'Column of 14 technicals and 3 tanks with 128 Bn markings parked at the western gate of Sirte.',
    });
    const right = makeFeatures({
      observedAt: '2021-02-09T11:00:00+02:00',
      lat: 31.2,
      lon: 16.5,
      placeName: 'Sirte',
      narrative: 'رتل من 14 سيارة مسلحة و3 دبابات تابعة للكتيبة 128 متوقف عند البوابة الغربية لسرت.',
    });
    const wrong = { ...right, terms: ['road_opening'] };
    const p = compareReports(wrong, a);
    expect(p.veto).toBeNull();
    expect(p.reasons.some((r) => /^different terms/.test(r))).toBe(true);
    // "same terms" is worth 1.5; the mismatch costs 1 here instead of 2.5.
    expect(compareReports(right, a).score - p.score).toBeLessThanOrEqual(2.6);
  });
});
