// Submission shapes as real clients send them. Values are arbitrary field-like examples.
export const INSTANCE_ID = '5f0c6a3e-8d1b-4c2a-9e7f-1a2b3c4d5e6f';

/** ODK Collect: root named after the form's instance root, meta in the OpenRosa namespace. */
export function collectSubmission(fields: Partial<Record<string, string>> = {}, opts: { formId?: string; instanceId?: string } = {}): string {
  const f = {
    narrative: 'Two armed pickups seen moving west on the coastal road.',
    observed_at: '2020-11-14T05:40:00.000+02:00',
    location: '32.3754 15.0925 12.0 5.0',
    place_name: '',
    party: 'LAAF',
    killed: '', injured: '2', missing: '', detained: '',
    photo: '1605331200123.jpg',
    ...fields,
  };
  return `<?xml version='1.0' ?><data xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="${opts.formId ?? 'ceasefire_report'}" version="2020102302"><narrative>${f.narrative}</narrative><observed_at>${f.observed_at}</observed_at><location>${f.location}</location><place_name>${f.place_name}</place_name><party>${f.party}</party><casualties><killed>${f.killed}</killed><injured>${f.injured}</injured><missing>${f.missing}</missing><detained>${f.detained}</detained></casualties><photo>${f.photo}</photo><orx:meta><orx:instanceID>uuid:${opts.instanceId ?? INSTANCE_ID}</orx:instanceID></orx:meta></data>`;
}

/** KoboCollect / Enketo from an XLSForm copy: fields inside a group, Kobo's own metadata, a bare meta block. */
export const koboSubmission = `<?xml version="1.0" encoding="UTF-8"?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="ceasefire_report" version="vQ9sHd2Lk">
  <formhub><uuid>3c1e9b0d2f6a4b5c8d7e6f5a4b3c2d1e</uuid></formhub>
  <start>2020-12-02T09:15:11.402+02:00</start>
  <end>2020-12-02T09:21:47.019+02:00</end>
  <report>
    <narrative>شوهدت ثلاث آليات عسكرية تتحرك قرب بوابة الخمسين &amp; تم إغلاق الطريق</narrative>
    <observed_at>2020-12-02T08:50:00.000+02:00</observed_at>
    <location>31.2089 16.5887 0 0</location>
    <place_name>بوابة الخمسين</place_name>
    <party/>
    <casualties><killed/><injured/><missing/><detained/></casualties>
    <photo/>
  </report>
  <__version__>vQ9sHd2Lk</__version__>
  <meta>
    <instanceID>uuid:C0FFEE00-1234-4ABC-8DEF-0123456789AB</instanceID>
    <instanceName>report 2020-12-02</instanceName>
    <deprecatedID/>
  </meta>
</data>`;
