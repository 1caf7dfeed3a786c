import { describe, expect, it } from 'vitest';
import { Invalid, NotFound } from '../../../src/errors.ts';
import { formField, normaliseDateTime, parseGeopoint, parseSubmission } from '../../../src/openrosa/submission.ts';
import { INSTANCE_ID, collectSubmission, koboSubmission } from '../../helpers/factories.ts';

function invalid(fn: () => unknown): Invalid {
  try {
    fn();
  } catch (err) {
    if (err instanceof Invalid) return err;
    throw err;
  }
  throw new Error('expected Invalid');
}
const fields = (e: Invalid) => e.issues.map((i) => i.field);

describe('parseSubmission: ODK Collect shape', () => {
  it('maps every field onto ReportInput and strips uuid: from the instanceID', () => {
    const s = parseSubmission(collectSubmission());
    expect(s).toEqual({
      formId: 'ceasefire_report',
      formVersion: '2020102302',
      instanceId: INSTANCE_ID,
      input: {
        clientId: INSTANCE_ID,
        narrative: 'Two armed pickups seen moving west on the coastal road.',
        observedAt: '2020-11-14T05:40:00.000+02:00',
        lat: 32.3754,
        lon: 15.0925,
        accuracyM: 5,
        partyAlleged: 'LAAF',
        casualties: { injured: 2 },
      },
      attachmentNames: ['1605331200123.jpg'],
      deprecatedId: null,
    });
  });

  it("reads an edit's deprecatedID (the instance it replaces) without uuid:, and an empty one as none", () => {
    const replaced = 'A1B2C3D4-0000-4000-8000-0123456789AB';
    expect(parseSubmission(collectSubmission({}, { deprecatedId: replaced })).deprecatedId).toBe(
      replaced.toLowerCase(),
    );
    expect(parseSubmission(koboSubmission).deprecatedId).toBeNull();
    expect(() => parseSubmission(collectSubmission({}, { deprecatedId: INSTANCE_ID }))).toThrow(
      expect.objectContaining({ issues: [{ field: 'meta/deprecatedID', reason: 'names the instance itself' }] }),
    );
  });

  it('accepts a Buffer, a BOM and the default XForms namespace on the root', () => {
    const xml = collectSubmission().replace('<data ', '<data xmlns="http://www.w3.org/2002/xforms" ');
    const s = parseSubmission(Buffer.from(`\uFEFF${xml}`, 'utf8'));
    expect(s.instanceId).toBe(INSTANCE_ID);
    expect(s.input.lat).toBe(32.3754);
  });

  it('decodes XML and numeric character references in Arabic text', () => {
    const s = parseSubmission(
      collectSubmission({ narrative: 'قصف &#1605;دفعي &lt;شرق&gt; سرت &amp; انقطاع &amp;#65;' }),
    );
    expect(s.input.narrative).toBe('قصف مدفعي <شرق> سرت & انقطاع &#65;');
  });

  it('takes a place name instead of a position, and empty elements as absent', () => {
    const s = parseSubmission(
      collectSubmission({ location: '', place_name: 'Abu Grein', party: '', injured: '', photo: '' }),
    );
    expect(s.input).toEqual({
      clientId: INSTANCE_ID,
      narrative: expect.any(String),
      observedAt: '2020-11-14T05:40:00.000+02:00',
      placeName: 'Abu Grein',
      partyAlleged: 'unknown',
    });
    expect(s.attachmentNames).toEqual([]);
  });

  it('lists each referenced photo once', () => {
    const xml = collectSubmission().replace(
      '</data>',
      '<photo>1605331200999.jpg</photo><photo>1605331200123.jpg</photo></data>',
    );
    expect(parseSubmission(xml).attachmentNames).toEqual(['1605331200123.jpg', '1605331200999.jpg']);
  });
});

describe('parseSubmission: KoboCollect / Enketo shape', () => {
  it('finds fields inside groups, ignores Kobo metadata, reads a bare meta block', () => {
    const s = parseSubmission(koboSubmission);
    expect(s.formVersion).toBe('vQ9sHd2Lk');
    expect(s.instanceId).toBe('c0ffee00-1234-4abc-8def-0123456789ab');
    expect(s.input).toEqual({
      clientId: 'c0ffee00-1234-4abc-8def-0123456789ab',
      narrative: 'شوهدت ثلاث آليات عسكرية تتحرك قرب بوابة الخمسين & تم إغلاق الطريق',
      observedAt: '2020-12-02T08:50:00.000+02:00',
      lat: 31.2089,
      lon: 16.5887,
      placeName: 'بوابة الخمسين',
      partyAlleged: 'unknown',
    });
    expect(s.attachmentNames).toEqual([]);
  });
});

describe('parseSubmission: rejections name the field', () => {
  it('unknown form id is NotFound; a root without id is Invalid', () => {
    expect(() => parseSubmission(collectSubmission({}, { formId: 'household_survey' }))).toThrow(NotFound);
    const e = invalid(() => parseSubmission('<data><narrative>x</narrative></data>'));
    expect(fields(e)).toEqual(['id']);
  });

  it.each([
    ['location', { location: '32.37 east' }],
    ['location', { location: '95 15.09 0 5' }],
    ['observed_at', { observed_at: '2020-11-14T05:40:00' }],
    ['observed_at', { observed_at: '14/11/2020 05:40' }],
    ['casualties/killed', { killed: '-1' }],
    ['casualties/detained', { detained: '2.5' }],
    ['party', { party: 'militia' }],
    ['narrative', { narrative: '' }],
    ['place_name', { location: '', place_name: '' }],
  ])('%s', (field, values) => {
    const e = invalid(() => parseSubmission(collectSubmission(values)));
    expect(fields(e)).toContain(field);
    expect(e.status).toBe(422);
  });

  it('a missing or non-uuid instanceID', () => {
    expect(fields(invalid(() => parseSubmission(collectSubmission().replace(/<orx:meta>.*<\/orx:meta>/, ''))))).toEqual(
      ['meta/instanceID'],
    );
    expect(fields(invalid(() => parseSubmission(collectSubmission({}, { instanceId: '42' }))))).toEqual([
      'meta/instanceID',
    ]);
  });

  it('a field given twice is ambiguous', () => {
    const xml = collectSubmission().replace('</data>', '<narrative>another</narrative></data>');
    expect(fields(invalid(() => parseSubmission(xml)))).toEqual(['narrative']);
  });

  it('malformed XML, a DTD (entity expansion) and oversize input are refused before reading fields', () => {
    expect(invalid(() => parseSubmission('<data id="ceasefire_report"><narrative>x</data>')).status).toBe(400);
    const laughs = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>${collectSubmission({ narrative: '&b;' }).replace(/^<\?xml[^>]*>/, '')}`;
    const dtd = invalid(() => parseSubmission(laughs));
    expect(dtd.status).toBe(400);
    expect(fields(dtd)).toEqual(['xml_submission_file']);
    expect(invalid(() => parseSubmission(collectSubmission(), { maxBytes: 200 })).status).toBe(413);
    expect(invalid(() => parseSubmission('')).status).toBe(400);
  });
});

describe('ODK value formats', () => {
  it.each([
    ['2020-11-14T05:40:00.000+02:00', '2020-11-14T05:40:00.000+02:00'],
    ['2020-11-14T05:40:00.000+0200', '2020-11-14T05:40:00.000+02:00'],
    ['2020-11-14T05:40:00.000+02', '2020-11-14T05:40:00.000+02:00'],
    ['2020-11-14T05:40:00-0430', '2020-11-14T05:40:00-04:30'],
    ['2020-11-14T03:40Z', '2020-11-14T03:40:00Z'],
    ['2020-11-14T05:40:00.000', null],
    ['2020-11-14', null],
  ])('dateTime %s', (raw, expected) => expect(normaliseDateTime(raw)).toBe(expected));

  it.each([
    ['32.3754 15.0925 12.0 5.0', { lat: 32.3754, lon: 15.0925, accuracyM: 5 }],
    ['32.3754 15.0925', { lat: 32.3754, lon: 15.0925 }],
    ['  -12.5   40.25  0 0 ', { lat: -12.5, lon: 40.25 }],
    ['32.3754', null],
    ['32.3754 15.0925 1 2 3', null],
    ['north east', null],
  ])('geopoint %j', (raw, expected) => expect(parseGeopoint(raw)).toEqual(expected));
});

describe('formField', () => {
  it("names the form's question for an API field, and any other name as sent", () => {
    expect(formField('casualties.killed')).toBe('casualties/killed');
    expect(formField('lat')).toBe('location');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(formField(`${name}.x`)).toBe(`${name}/x`);
  });
});
