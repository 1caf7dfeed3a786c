// Builders for test data: a valid report input by default, any field overridable.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';

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

export function reportForm(fields: Record<string, unknown>, files: Array<{ data: Buffer; name: string; type?: string }> = []): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    form.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  for (const f of files) form.append('attachments', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return form;
}

/** A small JPEG, different for every seed, optionally with EXIF capture time and GPS. */
export async function makeJpeg(seed = 0, opts: { exif?: { takenAt?: string; lat?: number; lon?: number } } = {}): Promise<Buffer> {
  let img = sharp({ create: { width: 48, height: 32, channels: 3, background: { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 } } }).jpeg();
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

export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
