// EXIF capture time and GPS help reviewers check a photo against the reported time and place.
import exifr from 'exifr';

export interface ExifFacts {
  takenAt: Date | null;
  lat: number | null;
  lon: number | null;
}

const EXIF_TIME = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

/**
 * EXIF times are camera wall-clock times, usually without a zone. When the camera recorded no offset
 * (OffsetTimeOriginal), the offset of the device's own report time is the best guess of the camera's zone.
 */
export function exifTime(raw: unknown, offset: unknown, fallbackOffset: string): Date | null {
  const m = typeof raw === 'string' ? EXIF_TIME.exec(raw) : null;
  if (!m) return null;
  const zone = typeof offset === 'string' && OFFSET.test(offset) ? offset : fallbackOffset;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const PICK = {
  pick: [
    'DateTimeOriginal',
    'CreateDate',
    'OffsetTimeOriginal',
    'OffsetTime',
    'GPSLatitude',
    'GPSLatitudeRef',
    'GPSLongitude',
    'GPSLongitudeRef',
  ],
  reviveValues: false,
};

/** `data`: the bytes (or the leading bytes that hold the EXIF), or a file path exifr reads in chunks. */
export async function readExif(data: Buffer | string, mime: string, fallbackOffset = '+00:00'): Promise<ExifFacts> {
  if (!mime.startsWith('image/')) return { takenAt: null, lat: null, lon: null };
  try {
    // One pass: exifr derives latitude/longitude from the GPS tags it is asked to pick.
    const tags = await exifr.parse(data, PICK);
    const takenAt = tags
      ? exifTime(tags.DateTimeOriginal ?? tags.CreateDate, tags.OffsetTimeOriginal ?? tags.OffsetTime, fallbackOffset)
      : null;
    const lat = finite(tags?.latitude, 90);
    const lon = finite(tags?.longitude, 180);
    return { takenAt, lat: lat !== null && lon !== null ? lat : null, lon: lat !== null && lon !== null ? lon : null };
  } catch {
    // Damaged or exotic EXIF must not reject the evidence itself.
    return { takenAt: null, lat: null, lon: null };
  }
}

function finite(v: unknown, bound: number): number | null {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= bound ? v : null;
}

// What a reviewer or an investigator reads off a photo's EXIF besides time and place: the camera, its software
// (an editor's name says the picture was re-saved), the size and the capture settings.
const DESCRIBE = [
  'Make',
  'Model',
  'Software',
  'DateTimeOriginal',
  'CreateDate',
  'ModifyDate',
  'OffsetTimeOriginal',
  'ExifImageWidth',
  'ExifImageHeight',
  'Orientation',
  'LensModel',
  'GPSLatitude',
  'GPSLatitudeRef',
  'GPSLongitude',
  'GPSLongitudeRef',
  'GPSAltitude',
  'GPSDateStamp',
  'GPSTimeStamp',
];

/** The EXIF tags above as plain JSON (text, numbers, arrays of numbers), or null when the file has none. */
export async function describeExif(data: Buffer | string, mime: string): Promise<Record<string, unknown> | null> {
  if (!mime.startsWith('image/')) return null;
  try {
    const tags = (await exifr.parse(data, { pick: DESCRIBE, reviveValues: false, translateValues: false })) as
      Record<string, unknown> | undefined;
    if (!tags) return null;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v === 'string') out[k] = v.replace(/\0+$/, '').trim();
      else if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))) out[k] = v;
    }
    return Object.keys(out).length ? out : null;
  } catch {
    return null;
  }
}
