import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { followupSpec, parseFollowup } from '../../../src/openrosa/followup.ts';
import { buildXForm } from '../../../src/openrosa/xform.ts';
import { readXml } from '../../../src/openrosa/xml.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const reports = [
  { id: A, place: 'Sirte', observedAt: new Date('2020-11-14T03:40:00Z'), progress: 'under_review' as const },
  { id: B, place: null, observedAt: new Date('2020-11-15T10:00:00Z'), progress: 'needs_info' as const },
];

describe('the follow-up form', () => {
  it("offers the observer's reports, the one asked about first, labelled in both languages in Libya's time", () => {
    const spec = followupSpec(reports, 'Africa/Tripoli');
    const choices = spec.fields.find((f) => f.name === 'report')!.choices!;
    expect(choices.map((c) => c.value)).toEqual([B, A]);
    expect(choices[1]!.label).toEqual({
      en: 'Sirte · 2020-11-14, 05:40 · under review',
      ar: 'Sirte · 2020-11-14, 05:40 · قيد المراجعة',
    });
    const xml = buildXForm({ maxPhotos: 10 }, spec);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('id="ceasefire_followup"');
    expect(xml).toContain('orx:max-pixels="2048"');
  });

  it('is a new version whenever the list of reports changes', () => {
    const one = followupSpec(reports, 'Africa/Tripoli').version;
    expect(followupSpec(reports, 'Africa/Tripoli').version).toBe(one);
    expect(followupSpec(reports.slice(0, 1), 'Africa/Tripoli').version).not.toBe(one);
  });

  it('reads a submission, and names the form questions when something is missing', () => {
    const xml = (report: string, answer: string, photos = '') =>
      readXml(
        `<data id="ceasefire_followup"><report>${report}</report><answer>${answer}</answer>${photos}` +
          `<meta><instanceID>uuid:${A.toUpperCase()}</instanceID></meta></data>`,
      );
    expect(parseFollowup(xml(B, 'Twenty rounds.', '<photos><photo>a.jpg</photo></photos>'))).toEqual({
      instanceId: A,
      reportId: B,
      text: 'Twenty rounds.',
      attachmentNames: ['a.jpg'],
    });
    expect(() => parseFollowup(xml('', ''))).toThrow(/report: choose one of your reports; answer: write an answer/);
  });
});
