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
