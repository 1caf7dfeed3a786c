// Reading untrusted submission XML: bounded size, no DTD, namespace prefixes dropped
// (Collect writes `orx:meta`, Enketo and Kobo write a bare `meta`; both mean the same node).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Invalid } from '../errors.ts';

export const DEFAULT_MAX_XML_BYTES = 2 * 1024 * 1024;
const FIELD = 'xml_submission_file';
export const MAX_ELEMENTS = 5_000;

/** Counts element openings ("<" not followed by "/", "?" or "!"), stopping once past `limit`. */
function countTags(text: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf('<'); i !== -1 && n <= limit; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next !== 47 /* / */ && next !== 63 /* ? */ && next !== 33 /* ! */) n++;
  }
  return n;
}

// Only the five XML entities plus numeric character references (&#1575;): fast-xml-parser decodes
// numeric references only through its htmlEntities option, which also accepts a table of named ones.
const XML_ENTITIES = { amp: '&', apos: "'", gt: '>', lt: '<', quot: '"' };

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntityCount: 0, maxTotalExpansions: 100_000 },
  htmlEntities: XML_ENTITIES as unknown as boolean,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  maxNestedTags: 64,
});

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

function toElement(name: string, raw: unknown): XmlElement {
  if (typeof raw === 'string') return { name, attributes: {}, text: raw, children: [] };
  const el: XmlElement = { name, attributes: {}, text: '', children: [] };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === '#text') el.text = String(value);
    else if (key.startsWith('@')) el.attributes[key.slice(1)] = String(value);
    else for (const item of value as unknown[]) el.children.push(toElement(key, item));
  }
  return el;
}

const bad = (reason: string, status: 400 | 413 = 400) => new Invalid([{ field: FIELD, reason }], status);

/**
 * The bytes as text in the encoding the document declares (XML 1.0 §4.3.3: a byte-order mark, else the
 * declaration's encoding, else UTF-8). Evidence text must arrive exactly as typed: invalid bytes are refused rather
 * than replaced (they once became U+FFFD silently), and a Latin-1 declaration is honoured rather than misread.
 */
export function decodeXml(bytes: Buffer): string {
  let label = 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else {
    const declared = /^(?:\xEF\xBB\xBF)?<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']/.exec(
      bytes.subarray(0, 256).toString('latin1'),
    );
    if (declared) label = declared[1]!.toLowerCase();
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw bad(`encoding ${label} is not supported; send UTF-8`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw bad(`not valid ${decoder.encoding}: the bytes do not decode as the document declares`);
  }
}

/** Parses a whole XML document and returns its root element; malformed input is an Invalid naming the part. */
export function readXml(input: string | Buffer, maxBytes = DEFAULT_MAX_XML_BYTES): XmlElement {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > maxBytes) throw bad(`larger than ${maxBytes} bytes`, 413);
  const text = (typeof input === 'string' ? input : decodeXml(input)).replace(/^\uFEFF/, '');
  if (!text.trim()) throw bad('empty');
  // No OpenRosa client sends a DTD; refusing it removes entity-expansion attacks altogether.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw bad('a DOCTYPE is not accepted');
  // A report form has a few dozen fields (a few hundred with repeats); a document with many thousands of elements
  // is not a submission, and refusing it before parsing bounds the CPU one request can take.
  if (countTags(text, MAX_ELEMENTS) > MAX_ELEMENTS) throw bad(`more than ${MAX_ELEMENTS} elements`, 413);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw bad(`malformed XML at line ${valid.err.line}: ${valid.err.msg}`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw bad(`unreadable XML: ${(err as Error).message}`);
  }
  const roots = Object.entries(doc).filter(([k]) => !k.startsWith('?'));
  const items = roots.flatMap(([k, v]) => (v as unknown[]).map((item) => toElement(k, item)));
  if (items.length !== 1) throw bad('expected exactly one root element');
  return items[0];
}
