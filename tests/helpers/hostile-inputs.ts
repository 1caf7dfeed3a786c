// Large and pathological request bodies for the fuzz suite, as fast-check arbitraries of plain descriptions
// (kind and sizes) that build() turns into bytes. Sizes stay within a few MB: the point is inputs whose cost a
// per-element copy, a recursive walk, an entity expansion or a buffered part would multiply — not raw volume.
// Found this way: 40,000 empty elements in an OpenRosa submission blocked the event loop for 9 s.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { collectXml, multipart } from '../../bench/fixtures.ts';
import { makeReport } from './factories.ts';

export type Endpoint = 'openrosa' | 'json' | 'multipart';
export interface HostileCase {
  kind: string;
  size: number;
  variant: number;
}
export interface HostileRequest {
  endpoint: Endpoint;
  label: string;
  body: Buffer;
  contentType: string;
}

const XML_KINDS = [
  'empty-elements',
  'repeated-fields',
  'distinct-elements',
  'deep-nesting',
  'unclosed-nesting',
  'entities',
  'bad-references',
  'latin1-declared',
  'invalid-utf8',
  'utf16',
  'huge-attribute',
  'many-attributes',
  'oversize',
] as const;
const JSON_KINDS = [
  'json-deep-arrays',
  'json-deep-objects',
  'json-many-keys',
  'json-long-array',
  'json-invalid-utf8',
  'json-latin1-declared',
] as const;
const MULTIPART_KINDS = [
  'many-fields',
  'many-files',
  'huge-part-header',
  'openrosa-many-parts',
  'repeated-field-name',
] as const;

// Upper bounds per kind of a random case's size (elements, bytes, parts, depth ...).
const BOUND: Record<string, number> = {
  'empty-elements': 60_000,
  'repeated-fields': 20_000,
  'distinct-elements': 30_000,
  'deep-nesting': 30_000,
  'unclosed-nesting': 30_000,
  entities: 160_000,
  'bad-references': 100_000,
  'latin1-declared': 1_500_000,
  'invalid-utf8': 500_000,
  utf16: 400_000,
  'huge-attribute': 1_900_000,
  'many-attributes': 150_000,
  oversize: 1_000_000,
  'json-deep-arrays': 105_000,
  'json-deep-objects': 30_000,
  'json-many-keys': 20_000,
  'json-long-array': 100_000,
  'json-invalid-utf8': 150_000,
  'json-latin1-declared': 150_000,
  'many-fields': 20_000,
  'many-files': 5_000,
  'huge-part-header': 2_000_000,
  'openrosa-many-parts': 3_000,
  'repeated-field-name': 10_000,
};

/** A case of any kind at a size spread evenly up to the kind's bound (fast-check's bias towards small values off). */
export const hostileCase: fc.Arbitrary<HostileCase> = fc
  .constantFrom(...XML_KINDS, ...JSON_KINDS, ...MULTIPART_KINDS)
  .chain((kind) =>
    fc.record({
      kind: fc.constant(kind),
      size: fc.noBias(fc.integer({ min: 1, max: BOUND[kind]! })),
      variant: fc.nat({ max: 7 }),
    }),
  );

/** Cases every run sends whatever the seed: every kind at a large size, the size that hurt before (40,000 empty elements: 9 s), the caps' edges. */
export const FIXED_CASES: HostileCase[] = [
  { kind: 'empty-elements', size: 40_000, variant: 0 },
  { kind: 'empty-elements', size: 5_001, variant: 1 },
  { kind: 'empty-elements', size: 4_900, variant: 0 },
  { kind: 'repeated-fields', size: 4_900, variant: 0 },
  { kind: 'deep-nesting', size: 4_900, variant: 0 },
  { kind: 'entities', size: 140_000, variant: 0 },
  { kind: 'huge-attribute', size: 1_900_000, variant: 0 },
  { kind: 'many-attributes', size: 120_000, variant: 0 },
  { kind: 'many-fields', size: 20_000, variant: 0 },
  { kind: 'many-files', size: 5_000, variant: 0 },
  { kind: 'json-deep-arrays', size: 100_000, variant: 0 },
  { kind: 'json-many-keys', size: 20_000, variant: 0 },
  { kind: 'json-deep-objects', size: 30_000, variant: 0 },
  { kind: 'json-invalid-utf8', size: 100_000, variant: 0 },
  { kind: 'json-latin1-declared', size: 40_000, variant: 0 },
  { kind: 'bad-references', size: 100_000, variant: 0 },
  { kind: 'latin1-declared', size: 1_000_000, variant: 0 },
  { kind: 'invalid-utf8', size: 400_000, variant: 0 },
  { kind: 'utf16', size: 300_000, variant: 0 },
  { kind: 'huge-part-header', size: 1_000_000, variant: 0 },
  { kind: 'openrosa-many-parts', size: 2_000, variant: 0 },
  { kind: 'distinct-elements', size: 4_900, variant: 0 },
  { kind: 'unclosed-nesting', size: 4_900, variant: 0 },
  { kind: 'oversize', size: 1, variant: 0 },
  { kind: 'json-long-array', size: 30_000, variant: 0 },
  { kind: 'repeated-field-name', size: 10_000, variant: 0 },
];

/** A well-formed Collect submission with `inner` spliced in before the meta block, as a string. */
function submission(
  inner = '',
  opts: { narrative?: string; rootAttributes?: string; declaration?: string } = {},
): string {
  let xml = collectXml({ ...makeReport(), clientId: randomUUID() }, null);
  if (opts.declaration !== undefined) xml = xml.replace(/^<\?xml[^>]*\?>/, opts.declaration);
  if (opts.narrative !== undefined)
    xml = xml.replace(/<narrative>[^<]*<\/narrative>/, `<narrative>${opts.narrative}</narrative>`);
  if (opts.rootAttributes) xml = xml.replace('id="ceasefire_report"', `id="ceasefire_report" ${opts.rootAttributes}`);
  return xml.replace('<orx:meta>', `${inner}<orx:meta>`);
}

function xmlBody(c: HostileCase, n: number): Buffer {
  const v = c.variant;
  switch (c.kind) {
    case 'empty-elements':
      return Buffer.from(submission(['<a/>', '<a></a>', '<photo/>', '<orx:a/>'][v % 4]!.repeat(n)));
    case 'repeated-fields':
      return Buffer.from(
        submission(
          ['<narrative>again</narrative>', '<location>1 2</location>', '<meta><instanceID>x</instanceID></meta>'][
            v % 3
          ]!.repeat(n),
        ),
      );
    case 'distinct-elements':
      return Buffer.from(submission(Array.from({ length: n }, (_, i) => `<f${i}>${i}</f${i}>`).join('')));
    case 'deep-nesting':
      return Buffer.from(submission(`${'<g>'.repeat(n)}x${'</g>'.repeat(n)}`));
    case 'unclosed-nesting':
      return Buffer.from(submission('<g>'.repeat(n)));
    case 'entities':
      return Buffer.from(
        submission('', {
          narrative: ['&amp;&#1575;&lt;', '&#x1F600;&quot;', '&#65;'][v % 3]!.repeat(Math.ceil(n / 3)),
        }),
      );
    case 'bad-references':
      return Buffer.from(
        submission('', {
          narrative: ['&bogus;', '&#0;', '&#xD800;', '&#99999999;', '&', '&#x;'][v % 6]!.repeat(Math.ceil(n / 6)),
        }),
      );
    case 'latin1-declared': {
      const decl = [
        '<?xml version="1.0" encoding="ISO-8859-1"?>',
        '<?xml version="1.0" encoding="windows-1256"?>',
        '<?xml version="1.0" encoding="EBCDIC"?>',
      ][v % 3]!;
      // Bytes as a Latin-1 phone would write them (é, ü, ÿ ...): invalid as UTF-8, which the server reads.
      return Buffer.from(
        submission('', {
          declaration: decl,
          narrative: 'Sirte d\u00e9p\u00f4t \u00fc\u00ff\u00e9 '.repeat(Math.ceil(n / 16)),
        }),
        'latin1',
      );
    }
    case 'invalid-utf8': {
      const bad = [
        [0xff],
        [0xc3, 0x28],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
      ][v % 7]!;
      const filler = Buffer.from(Array.from({ length: Math.ceil(n / bad.length) }, () => bad).flat());
      const [head, tail] = submission('', { narrative: '@@' }).split('@@');
      return Buffer.concat([Buffer.from(head!), filler, Buffer.from(tail!)]);
    }
    case 'utf16':
      return Buffer.from(
        `\ufeff${submission('', { declaration: '<?xml version="1.0" encoding="UTF-16"?>', narrative: '\u0627\u0634\u062a\u0628\u0627\u0643 '.repeat(Math.ceil(n / 12)) })}`,
        'utf16le',
      );
    case 'huge-attribute':
      return Buffer.from(
        submission('', {
          rootAttributes: `note="${['a', '&amp;', '&#1575;'][v % 3]!.repeat(Math.ceil(n / [1, 5, 7][v % 3]!))}"`,
        }),
      );
    case 'many-attributes':
      return Buffer.from(
        submission(`<a ${Array.from({ length: Math.ceil(n / 8) }, (_, i) => `k${i}="v"`).join(' ')}/>`),
      );
    case 'oversize':
      return Buffer.from(submission('', { narrative: 'y'.repeat(2 * 1024 * 1024 + n) }));
    default:
      throw new Error(`not an XML kind: ${c.kind}`);
  }
}

function jsonBody(c: HostileCase, n: number): { body: Buffer; contentType: string } {
  const report = JSON.stringify(makeReport());
  const json = (text: string) => ({ body: Buffer.from(text), contentType: 'application/json' });
  switch (c.kind) {
    case 'json-deep-arrays':
      return json(
        c.variant % 2
          ? `${'['.repeat(n)}${']'.repeat(n)}`
          : report.replace('{', `{"casualties":${'['.repeat(n)}${']'.repeat(n)},`),
      );
    case 'json-deep-objects':
      return json(report.replace('{', `{"casualties":${'{"a":'.repeat(n)}1${'}'.repeat(n)},`));
    case 'json-many-keys':
      return json(report.replace('{', `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')},`));
    case 'json-long-array':
      return json(
        report.replace(
          '{',
          `{"casualties":{"killed":[${Array(n).fill(0).join(',')}]},"narrative":[${Array(Math.min(n, 20_000)).fill('"x"').join(',')}],`,
        ),
      );
    case 'json-invalid-utf8': {
      const [head, tail] = report.replace(/"narrative":"[^"]*"/, '"narrative":"@@"').split('@@');
      return {
        body: Buffer.concat([
          Buffer.from(head!),
          Buffer.alloc(n, [0xff, 0xc3, 0x80][c.variant % 3]!),
          Buffer.from(tail!),
        ]),
        contentType: 'application/json',
      };
    }
    case 'json-latin1-declared':
      return {
        body: Buffer.from(
          report.replace(/"narrative":"[^"]*"/, `"narrative":"${'d\u00e9p\u00f4t '.repeat(Math.ceil(n / 6))}"`),
          'latin1',
        ),
        contentType: [
          'application/json; charset=iso-8859-1',
          'application/json; charset=utf-8',
          'application/json; charset=utf-16',
        ][c.variant % 3]!,
      };
    default:
      throw new Error(`not a JSON kind: ${c.kind}`);
  }
}

function multipartBody(c: HostileCase, n: number): { endpoint: Endpoint; body: Buffer; contentType: string } {
  const boundary = `hostile${c.variant}`;
  const fields = Object.entries(makeReport()).map(([k, v]) => [k, String(v)] as [string, string]);
  const tiny = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
  const form = (
    f: Array<[string, string]>,
    files: Array<{ field: string; name: string; type: string; data: Buffer }>,
    endpoint: Endpoint = 'multipart',
  ) => ({ endpoint, body: multipart(boundary, f, files), contentType: `multipart/form-data; boundary=${boundary}` });
  switch (c.kind) {
    case 'many-fields':
      return form([...fields, ...Array.from({ length: n }, (_, i) => [`f${i}`, 'x'] as [string, string])], []);
    case 'repeated-field-name':
      return form(
        [
          ...fields,
          ...Array.from(
            { length: n },
            () => [['narrative', 'casualties[killed]', 'lat'][c.variant % 3]!, '1'] as [string, string],
          ),
        ],
        [],
      );
    case 'many-files':
      return form(
        fields,
        Array.from({ length: n }, (_, i) => ({
          field: 'attachments',
          name: `p${i}.jpg`,
          type: 'image/jpeg',
          data: tiny,
        })),
      );
    case 'huge-part-header': {
      const name = 'n'.repeat(Math.min(n, 2_000_000));
      return form(fields, [
        {
          field: c.variant % 2 ? name : 'attachments',
          name: c.variant % 2 ? 'p.jpg' : name,
          type: 'image/jpeg',
          data: tiny,
        },
      ]);
    }
    case 'openrosa-many-parts': {
      const xml = Buffer.from(submission(''));
      const parts = Array.from({ length: n }, (_, i) => ({
        field: `p${i}.jpg`,
        name: `p${i}.jpg`,
        type: 'image/jpeg',
        data: tiny,
      }));
      return form(
        [],
        [{ field: 'xml_submission_file', name: 'submission.xml', type: 'text/xml', data: xml }, ...parts],
        'openrosa',
      );
    }
    default:
      throw new Error(`not a multipart kind: ${c.kind}`);
  }
}

export function build(c: HostileCase): HostileRequest {
  const n = c.size;
  const label = `${c.kind} n=${n} v=${c.variant}`;
  if ((XML_KINDS as readonly string[]).includes(c.kind)) {
    // The XML as a file part (Collect) or, on odd variants of some kinds, as a plain field (some clients do that).
    const xml = xmlBody(c, n);
    const boundary = 'odkHostile';
    const body =
      c.variant % 2 && c.kind !== 'utf16'
        ? Buffer.concat([
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"\r\n\r\n`),
            xml,
            Buffer.from(`\r\n--${boundary}--\r\n`),
          ])
        : multipart(
            boundary,
            [],
            [{ field: 'xml_submission_file', name: 'submission.xml', type: 'text/xml', data: xml }],
          );
    return {
      endpoint: 'openrosa',
      label: `${label} (${xml.length} B XML)`,
      body,
      contentType: `multipart/form-data; boundary=${boundary}`,
    };
  }
  if ((JSON_KINDS as readonly string[]).includes(c.kind)) {
    const { body, contentType } = jsonBody(c, n);
    return { endpoint: 'json', label: `${label} (${body.length} B)`, body, contentType };
  }
  const m = multipartBody(c, n);
  return { ...m, label: `${label} (${m.body.length} B)` };
}
