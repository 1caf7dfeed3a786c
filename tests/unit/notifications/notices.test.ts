// The pure parts of notifications: which severity changes make an incident newly severe, and an emailed notice's
// text in the recipient's language (both, English first, without one).
import { describe, expect, it } from 'vitest';
import { grownSevere, SEVERE_AT } from '../../../src/notifications/index.ts';
import { composeNoticeEmail } from '../../../src/notifications/email.ts';
import { SEVERE_AT as DIGEST_SEVERE_AT } from '../../../src/digests/compile.ts';

describe('grownSevere', () => {
  it('names incidents opened severe or crossing into severe, not those severe already or falling', () => {
    expect(SEVERE_AT).toBe(DIGEST_SEVERE_AT);
    expect(
      grownSevere([
        { id: 'opened-severe', before: null, after: 4 },
        { id: 'opened-quiet', before: null, after: 3 },
        { id: 'crossed', before: 3, after: 5 },
        { id: 'from-zero', before: 0, after: 4 },
        { id: 'still-severe', before: 4, after: 5 },
        { id: 'fell', before: 5, after: 2 },
        { id: 'quiet', before: 1, after: 3 },
      ]),
    ).toEqual(['opened-severe', 'crossed', 'from-zero']);
  });
});

describe('composeNoticeEmail', () => {
  const facts = {
    kind: 'severe' as const,
    incidentId: '4f2a1b3c-0000-4000-8000-000000000000',
    severity: 5,
    placeName: 'Sirte',
  };
  const url = 'https://monitoring.test/review/#incident/4f2a1b3c-0000-4000-8000-000000000000';

  it('writes English for an English reader', () => {
    const m = composeNoticeEmail(facts, 'en', url);
    expect(m.subject).toBe('Severe incident #4f2a1b3c (severity 5 of 5)');
    expect(m.text).toContain('Place: Sirte');
    expect(m.text).toContain(`Open the incident: ${url}`);
    expect(m.text).not.toMatch(/[\u0600-\u06ff]/);
  });

  it('writes Arabic for an Arabic reader, the Latin id and place isolated', () => {
    const m = composeNoticeEmail(facts, 'ar', url);
    expect(m.subject).toBe('حادثة خطيرة \u2068#4f2a1b3c\u2069 (الخطورة 5 من 5)');
    expect(m.text).toContain('المكان: \u2068Sirte\u2069');
    expect(m.text).not.toContain('Severe incident');
  });

  it('writes both, English first, for a reader without a language; every kind has its text', () => {
    for (const kind of ['assigned', 'severe', 'answered', 'added'] as const) {
      const m = composeNoticeEmail({ ...facts, kind, placeName: null }, null, url);
      const [en, ar] = m.subject.split(' / ');
      expect(en).toMatch(/^[\x20-\x7e]+$/);
      expect(ar).toMatch(/[\u0600-\u06ff]/);
      expect(m.text.indexOf(en!)).toBeLessThan(m.text.indexOf(ar!));
      expect(m.text).not.toContain('Place');
    }
  });
});
