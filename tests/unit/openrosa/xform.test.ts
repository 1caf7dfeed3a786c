import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { buildFormList } from '../../../src/openrosa/formList.ts';
import { openRosaResponse } from '../../../src/openrosa/response.ts';
import { parseSubmission } from '../../../src/openrosa/submission.ts';
import { buildXForm, publishedForm } from '../../../src/openrosa/xform.ts';
import { INSTANCE_ID } from '../../helpers/factories.ts';

// Keeps prefixes, so the test sees the document as a namespace-aware XForms reader would.
const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    isArray: (_n, _p, _l, attr) => !attr,
  }).parse(xml);
const xml = buildXForm();
const doc = parse(xml);
const html = doc['h:html'][0];
const model = html['h:head'][0].model[0];
const bindFor = (nodeset: string) => model.bind.find((b: { nodeset: string }) => b.nodeset === nodeset);

describe('XForm', () => {
  it('is well-formed, declares the XForms/OpenRosa namespaces and is the same bytes every time', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(html.xmlns).toBe('http://www.w3.org/2002/xforms');
    expect(html['xmlns:jr']).toBe('http://openrosa.org/javarosa');
    expect(html['xmlns:orx']).toBe('http://openrosa.org/xforms');
    expect(buildXForm()).toBe(xml);
  });

  it('has the ceasefire_report instance with id, version and orx:meta/instanceID', () => {
    const data = model.instance[0].data[0];
    expect(data.id).toBe('ceasefire_report');
    expect(data.version).toMatch(/^\d+$/);
    expect(Object.keys(data)).toEqual(
      expect.arrayContaining([
        'narrative',
        'observed_at',
        'location',
        'place_name',
        'party',
        'casualties',
        'photos',
        'orx:meta',
      ]),
    );
    expect(data['orx:meta'][0]).toHaveProperty('orx:instanceID');
  });

  it('binds each field with its ODK type', () => {
    expect(bindFor('/data/narrative')).toMatchObject({ type: 'string', required: 'true()' });
    expect(bindFor('/data/observed_at')).toMatchObject({ type: 'dateTime', required: 'true()' });
    expect(bindFor('/data/location')).toMatchObject({ type: 'geopoint' });
    expect(bindFor('/data/place_name')).toMatchObject({
      type: 'string',
      required: 'string-length(/data/location) = 0',
    });
    expect(bindFor('/data/party')).toMatchObject({ type: 'string' });
    for (const c of ['killed', 'injured', 'missing', 'detained'])
      expect(bindFor(`/data/casualties/${c}`)).toMatchObject({ type: 'int' });
    // Collect scales photos down before saving them: a slow link sends a megabyte, not twelve.
    expect(bindFor('/data/photos/photo')).toMatchObject({ type: 'binary', 'orx:max-pixels': '2048' });
    expect(bindFor('/data/orx:meta/orx:instanceID')).toMatchObject({
      type: 'string',
      readonly: 'true()',
      'jr:preload': 'uid',
    });
  });

  it('defaults observed time to now on first load', () => {
    expect(model.setvalue).toEqual([{ event: 'odk-instance-first-load', ref: '/data/observed_at', value: 'now()' }]);
  });

  it('has body controls: select1 for party with the four parties, a repeat of image uploads for the photos', () => {
    const body = html['h:body'][0];
    const party = body.select1.find((s: { ref: string }) => s.ref === '/data/party');
    expect(party.item.map((i: { value: string[] }) => i.value[0])).toEqual(['LAAF', 'GNA', 'foreign', 'unknown']);
    expect(body.group[0].input.map((i: { ref: string }) => i.ref)).toHaveLength(4);
    const photos = body.group.find((g: { ref: string }) => g.ref === '/data/photos');
    expect(photos.repeat[0].nodeset).toBe('/data/photos');
    expect(photos.repeat[0].upload[0]).toMatchObject({ ref: '/data/photos/photo', mediatype: 'image/*' });
  });

  it('stops the photo repeat at the per-report file limit, as the web app does', () => {
    expect(bindFor('/data/photos/photo')).toMatchObject({
      constraint: 'position(..) <= 10',
      'jr:constraintMsg': "jr:itext('/data/photos/photo:jr:constraintMsg')",
    });
    const four = parse(buildXForm({ maxPhotos: 4 }))['h:html'][0]['h:head'][0].model[0];
    expect(four.bind.find((b: { nodeset: string }) => b.nodeset === '/data/photos/photo').constraint).toBe(
      'position(..) <= 4',
    );
    expect(publishedForm(4).hash).not.toBe(publishedForm(10).hash);
  });

  it('says in English and Arabic what a required question needs (not "Condition not satisfied: required")', () => {
    const translations = model.itext[0].translation as Array<{ text: Array<{ id: string; value: string[] }> }>;
    const msg = (lang: number, id: string) => translations[lang]!.text.find((x) => x.id === id)?.value[0];
    for (const q of ['narrative', 'observed_at', 'place_name']) {
      expect(bindFor(`/data/${q}`)['jr:requiredMsg']).toBe(`jr:itext('/data/${q}:jr:requiredMsg')`);
      expect(msg(0, `/data/${q}:jr:requiredMsg`)).toMatch(/^[A-Z]/);
      expect(msg(1, `/data/${q}:jr:requiredMsg`)).toMatch(/[\u0600-\u06FF]/);
    }
    expect(msg(0, '/data/narrative:jr:requiredMsg')).toBe('Describe what happened.');
  });

  it('every jr:itext reference resolves in both English (default) and Arabic', () => {
    const translations = model.itext[0].translation as Array<{
      lang: string;
      default?: string;
      text: Array<{ id: string; value: string[] }>;
    }>;
    expect(translations.map((t) => t.lang)).toEqual(['English (en)', 'Arabic (ar)']);
    expect(translations[0].default).toBe('true()');
    const refs = [...xml.matchAll(/jr:itext\('([^']+)'\)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(15);
    for (const t of translations) {
      const ids = new Set(t.text.map((x) => x.id));
      for (const r of refs) expect(ids, `${t.lang} lacks ${r}`).toContain(r);
    }
    const arabic = translations[1].text.map((x) => x.value[0]);
    for (const v of arabic) expect(v).toMatch(/[\u0600-\u06FF]/);
  });

  it('its blank instance, filled in as Collect would, parses back into a report', () => {
    const instance = /<data [\s\S]*<\/data>/
      .exec(xml)![0]
      .replace('<data ', '<data xmlns:orx="http://openrosa.org/xforms" ')
      .replace('<narrative/>', '<narrative>Convoy of 12 trucks heading south from Sirte.</narrative>')
      .replace('<observed_at/>', '<observed_at>2021-01-20T14:05:00.000+02:00</observed_at>')
      .replace('<location/>', '<location>31.1941 16.5004 20 8.5</location>')
      .replace('<killed/>', '<killed>0</killed>')
      .replace('<photo/>', '<photo>convoy.jpg</photo>')
      .replace('<orx:instanceID/>', `<orx:instanceID>uuid:${INSTANCE_ID}</orx:instanceID>`);
    const s = parseSubmission(instance);
    expect(s.input).toMatchObject({
      lat: 31.1941,
      lon: 16.5004,
      accuracyM: 8.5,
      partyAlleged: 'unknown',
      casualties: { killed: 0 },
    });
    expect(s.attachmentNames).toEqual(['convoy.jpg']);
    // Several photos: one repeat instance each.
    const two = instance.replace(
      /<photos>[\s\S]*?<\/photos>/,
      '<photos><photo>convoy.jpg</photo></photos><photos><photo>plates.jpg</photo></photos>',
    );
    expect(parseSubmission(two).attachmentNames).toEqual(['convoy.jpg', 'plates.jpg']);
  });

  it('publishes the md5 hash of exactly the served bytes', () => {
    const f = publishedForm();
    expect(f.xml).toBe(xml);
    expect(f.hash).toBe(`md5:${createHash('md5').update(xml).digest('hex')}`);
    expect(f.formId).toBe('ceasefire_report');
  });
});

describe('formList and OpenRosa response', () => {
  it('lists forms in the xformsList namespace with absolute, escaped URLs', () => {
    const f = publishedForm();
    const list = buildFormList([
      { ...f, downloadUrl: 'https://cf.example.org/forms/ceasefire_report/form.xml?a=1&b=2' },
    ]);
    expect(XMLValidator.validate(list)).toBe(true);
    const x = parse(list).xforms[0];
    expect(x.xmlns).toBe('http://openrosa.org/xforms/xformsList');
    expect(x.xform[0]).toEqual({
      formID: ['ceasefire_report'],
      name: [f.name],
      version: [f.version],
      hash: [f.hash],
      downloadUrl: ['https://cf.example.org/forms/ceasefire_report/form.xml?a=1&b=2'],
    });
    expect(list).toContain('?a=1&amp;b=2');
  });

  it('wraps a message with its nature', () => {
    const body = openRosaResponse('Report <received> تم', 'submit_success');
    const r = parse(body).OpenRosaResponse[0];
    expect(r.xmlns).toBe('http://openrosa.org/http/response');
    expect(r.message[0]).toEqual({ '#text': 'Report <received> تم', nature: 'submit_success' });
  });
});
