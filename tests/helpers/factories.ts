// Every builder of test data, in one module (Outline's server/test/factories.ts): report inputs and uploads,
// pictures, incidents and processed reports written straight to the database, dedup features, OpenRosa
// submissions. Each gives a valid value by default, any field overridable.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import sharp from 'sharp';
import { expect } from 'vitest';
import { loadAgreement } from '../../src/agreements/index.ts';
import { classifyReport } from '../../src/classify/classifier.ts';
import type { Db, Prisma } from '../../src/db/client.ts';
import { locatedFeatures, type ReportFeatures } from '../../src/dedup/features.ts';
import type { ReportForProcessing } from '../../src/pipeline/types.ts';
import type { AggregateMember, IncidentAggregate } from '../../src/incidents/aggregate.ts';

export function makeReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientId: randomUUID(),
    observedAt: '2020-11-14T05:40:00+02:00',
    lat: 31.205,
    lon: 16.588,
    accuracyM: 20,
    placeName: 'Sirte',
    narrative: 'Column of 12 technicals moving west from Sirte towards the Abu Grein front line.',
    partyAlleged: 'LAAF',
    ...overrides,
  };
}

export function reportForm(
  fields: Record<string, unknown>,
  files: Array<{ data: Buffer; name: string; type?: string }> = [],
): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    form.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  for (const f of files)
    form.append(
      'attachments',
      new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }),
      f.name,
    );
  return form;
}

/** A small JPEG, different for every seed, optionally with EXIF capture time and GPS. */
export async function makeJpeg(
  seed = 0,
  opts: { exif?: { takenAt?: string; lat?: number; lon?: number } } = {},
): Promise<Buffer> {
  let img = sharp({
    create: {
      width: 48,
      height: 32,
      channels: 3,
      background: { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 },
    },
  }).jpeg();
  if (opts.exif) {
    const e = opts.exif;
    const IFD0: Record<string, string> = {};
    const IFD3: Record<string, string> = {};
    if (e.takenAt) IFD0.DateTime = e.takenAt;
    if (e.lat !== undefined && e.lon !== undefined) {
      IFD3.GPSLatitudeRef = e.lat >= 0 ? 'N' : 'S';
      IFD3.GPSLatitude = dms(Math.abs(e.lat));
      IFD3.GPSLongitudeRef = e.lon >= 0 ? 'E' : 'W';
      IFD3.GPSLongitude = dms(Math.abs(e.lon));
    }
    img = img.withExif({ IFD0, IFD2: e.takenAt ? { DateTimeOriginal: e.takenAt } : {}, IFD3 } as never);
  }
  return img.toBuffer();
}

function dms(v: number): string {
  const d = Math.floor(v);
  const m = Math.floor((v - d) * 60);
  const s = Math.round(((v - d) * 60 - m) * 60 * 100);
  return `${d}/1 ${m}/1 ${s}/100`;
}

export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

// --- Incidents and processed reports written straight to the database: review, export and digest tests need
// many of them in known shapes, faster than the intake + pipeline could make them.
type IncidentFields = Partial<Prisma.IncidentUncheckedCreateInput>;
type ReportFields = Partial<Prisma.ReportUncheckedCreateInput>;

export function incidentRow(o: IncidentFields = {}): Prisma.IncidentUncheckedCreateInput {
  return {
    id: randomUUID(),
    state: 'new',
    terms: ['hostilities'],
    stance: 'violation',
    parties: ['LAAF'],
    confidence: 0.8,
    severity: 3,
    lat: 31.2,
    lon: 16.6,
    placeName: 'Sirte',
    firstObservedAt: new Date('2020-11-14T03:40:00Z'),
    lastObservedAt: new Date('2020-11-14T04:10:00Z'),
    reportCount: 1,
    languages: ['en'],
    summary: 'Violation: Hostilities near Sirte',
    ...o,
  };
}

export function reportRow(observerId: string, o: ReportFields = {}): Prisma.ReportUncheckedCreateInput {
  const narrative = o.narrative ?? 'Shelling heard east of Sirte at dawn.';
  return {
    id: randomUUID(),
    clientId: randomUUID(),
    observerId,
    contentHash: createHash('sha256').update(randomUUID()).digest('hex'),
    observedAt: new Date('2020-11-14T03:40:00Z'),
    lat: 31.2,
    lon: 16.6,
    placeName: 'Sirte',
    narrative,
    partyAlleged: 'LAAF',
    status: 'processed',
    language: 'en',
    terms: ['hostilities'],
    stance: 'violation',
    confidence: 0.8,
    classification: {
      terms: [{ id: 'hostilities', confidence: 0.8, evidence: [{ start: 0, end: 8, text: narrative.slice(0, 8) }] }],
      stance: 'violation',
    },
    ...o,
  };
}

export async function insertIncidents(db: Db, rows: IncidentFields[]): Promise<string[]> {
  const data = rows.map((o) => incidentRow(o));
  await db.incident.createMany({ data });
  return data.map((d) => d.id!);
}

/** An incident holding `reports` (one per entry), its reportCount set to match. */
export async function insertIncidentWithReports(
  db: Db,
  observerId: string,
  reports: ReportFields[],
  o: IncidentFields = {},
) {
  const [id] = await insertIncidents(db, [{ ...o, reportCount: reports.length }]);
  const data = reports.map((r) => reportRow(observerId, { ...r, incidentId: id }));
  await db.report.createMany({ data });
  return { id: id!, reportIds: data.map((d) => d.id!) };
}

// --- A stored report as the worker's analyzer reads it (pipeline/types.ts), fresh from intake.
export function reportForProcessing(
  r: Pick<ReportForProcessing, 'observedAt' | 'narrative'> & Partial<ReportForProcessing>,
): ReportForProcessing {
  return {
    id: '00000000-0000-0000-0000-000000000001',
    contentHash: 'x',
    lat: null,
    lon: null,
    accuracyM: null,
    placeName: null,
    partyAlleged: 'unknown',
    casualties: null,
    status: 'received',
    inputHash: null,
    correction: null,
    classification: null,
    terms: [],
    stance: null,
    incidentId: null,
    incidentPinned: false,
    attachmentHashes: [],
    photoHashes: [],
    ...r,
  };
}

// --- Dedup features built the way the worker does: classify → locate (judge, resolve) → extract features.
export interface ReportSpec {
  narrative: string;
  observedAt: string;
  lat?: number | null;
  lon?: number | null;
  placeName?: string | null;
  partyAlleged?: string | null;
  attachmentHashes?: string[];
}

export function makeFeatures(r: ReportSpec): ReportFeatures {
  const input = { narrative: r.narrative, placeName: r.placeName ?? null, partyAlleged: r.partyAlleged ?? null };
  const c = classifyReport(input, 'libya-2020');
  return locatedFeatures(
    {
      ...input,
      observedAt: r.observedAt,
      lat: r.lat,
      lon: r.lon,
      attachmentHashes: r.attachmentHashes,
    },
    c,
    loadAgreement('libya-2020'),
  ).features;
}

// --- One shelling incident told in English and Arabic, and an unrelated road reopening at the same place.
export const shellingEn = () =>
  makeReport({
    observedAt: '2020-11-14T05:40:00+02:00',
    lat: 31.205,
    lon: 16.588,
    placeName: 'Sirte',
    partyAlleged: 'LAAF',
    narrative:
      'Artillery shelling hit GNA positions east of Sirte near Abu Grein at 0540L; approx. 12 rounds impacted, 2 fighters injured.',
  });
export const shellingAr = () =>
  makeReport({
    observedAt: '2020-11-14T07:30:00+02:00',
    lat: 31.22,
    lon: 16.61,
    placeName: 'سرت',
    partyAlleged: 'LAAF',
    narrative:
      'قصف مدفعي استهدف مواقع قوات الوفاق شرق سرت قرب أبو قرين فجر اليوم، سقوط نحو 12 قذيفة وإصابة مقاتلين اثنين.',
  });
export const roadReopened = () =>
  makeReport({
    observedAt: '2020-11-14T10:00:00+02:00',
    lat: 31.2,
    lon: 16.59,
    placeName: 'Sirte',
    partyAlleged: 'unknown',
    narrative:
      'The western gate checkpoint of Sirte on the coastal road reopened to civilian traffic this morning; trucks passing freely.',
  });

// --- OpenRosa submission shapes as real clients send them. Values are arbitrary field-like examples.
export const INSTANCE_ID = '5f0c6a3e-8d1b-4c2a-9e7f-1a2b3c4d5e6f';

/** ODK Collect: root named after the form's instance root, meta in the OpenRosa namespace. */
export function collectSubmission(
  fields: Partial<Record<string, string>> = {},
  opts: { formId?: string; instanceId?: string; deprecatedId?: string } = {},
): string {
  const f = {
    narrative: 'Two armed pickups seen moving west on the coastal road.',
    observed_at: '2020-11-14T05:40:00.000+02:00',
    location: '32.3754 15.0925 12.0 5.0',
    place_name: '',
    party: 'LAAF',
    killed: '',
    injured: '2',
    missing: '',
    detained: '',
    photo: '1605331200123.jpg',
    ...fields,
  };
  return `<?xml version='1.0' ?><data xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="${opts.formId ?? 'ceasefire_report'}" version="2020102302"><narrative>${f.narrative}</narrative><observed_at>${f.observed_at}</observed_at><location>${f.location}</location><place_name>${f.place_name}</place_name><party>${f.party}</party><casualties><killed>${f.killed}</killed><injured>${f.injured}</injured><missing>${f.missing}</missing><detained>${f.detained}</detained></casualties><photo>${f.photo}</photo><orx:meta><orx:instanceID>uuid:${opts.instanceId ?? INSTANCE_ID}</orx:instanceID>${opts.deprecatedId ? `<orx:deprecatedID>uuid:${opts.deprecatedId}</orx:deprecatedID>` : ''}</orx:meta></data>`;
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

// --- Random incident members for the aggregate tests (fast-check): out-of-order times, English/Arabic/unknown
// language, overlapping terms and stances, GPS or place-resolved or no position, a few place names, casualties.
const T0 = Date.UTC(2020, 10, 14, 0, 0, 0);
const TERMS = ['hostilities', 'troop_return', 'arms_transfer', 'road_opening', 'none'];

export const memberArb: fc.Arbitrary<AggregateMember> = fc
  .record({
    // Minutes over two days: ties on observedAt happen, and members arrive out of order.
    observedAt: fc.integer({ min: 0, max: 2 * 24 * 60 }).map((m) => new Date(T0 + m * 60_000)),
    gps: fc.option(
      fc.tuple(fc.double({ min: 31.1, max: 31.3, noNaN: true }), fc.double({ min: 16.5, max: 16.7, noNaN: true })),
      { nil: null },
    ),
    resolved: fc.option(fc.constantFrom([31.205, 16.588] as const, [31.45, 15.25] as const), { nil: null }),
    geoCell: fc.option(fc.constantFrom('312:165', '312:166', '314:152'), { nil: null }),
    placeName: fc.option(fc.constantFrom('Sirte', 'سرت', 'Abu Grein', 'south of Sirte'), { nil: null }),
    resolvedPlace: fc.option(fc.constantFrom('Sirte', 'Abu Grein'), { nil: null }),
    language: fc.option(fc.constantFrom('en', 'ar'), { nil: null }),
    partyAlleged: fc.constantFrom('LAAF', 'GNA', 'foreign', 'unknown'),
    casualties: fc.option(fc.record({ killed: fc.nat(3), injured: fc.nat(5) }, { requiredKeys: [] }), { nil: null }),
    terms: fc.uniqueArray(fc.constantFrom(...TERMS), { maxLength: 3 }),
    stance: fc.option(
      fc.constantFrom('violation', 'compliance', 'information') as fc.Arbitrary<
        'violation' | 'compliance' | 'information'
      >,
      { nil: null },
    ),
    confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  })
  .map(({ gps, resolved, ...m }) => ({
    ...m,
    lat: gps?.[0] ?? null,
    lon: gps?.[1] ?? null,
    resolvedLat: resolved?.[0] ?? null,
    resolvedLon: resolved?.[1] ?? null,
  }));

/** Equal, floats to 1e-9 (sums folded in another order differ in the last bits). */
export function expectSameAggregate(actual: object, expected: IncidentAggregate): void {
  const { confidence, lat, lon, summary, ...rest } = expected;
  const picked = Object.fromEntries(
    Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]]),
  ) as IncidentAggregate;
  const { confidence: c, lat: la, lon: lo, summary: s, ...restActual } = picked;
  expect(restActual).toEqual(rest);
  for (const [x, y] of [
    [c, confidence],
    [la, lat],
    [lo, lon],
  ] as Array<[number | null, number | null]>) {
    if (y === null) expect(x).toBeNull();
    else expect(x).toBeCloseTo(y, 9);
  }
  // The summary shows the position to 3 decimals only when no place is named.
  expect(s).toBe(summary);
}
