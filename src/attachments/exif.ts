// EXIF capture time and GPS help reviewers check a photo against the reported time and place.
import exifr from 'exifr';

export interface ExifFacts { takenAt: Date | null; lat: number | null; lon: number | null }

export async function readExif(data: Buffer, mime: string): Promise<ExifFacts> {
  if (!mime.startsWith('image/')) return { takenAt: null, lat: null, lon: null };
  try {
    const tags = await exifr.parse(data, { gps: true, pick: ['DateTimeOriginal', 'CreateDate', 'latitude', 'longitude', 'GPSLatitude', 'GPSLongitude', 'GPSLatitudeRef', 'GPSLongitudeRef'] });
    if (!tags) return { takenAt: null, lat: null, lon: null };
    const taken = tags.DateTimeOriginal ?? tags.CreateDate;
    const takenAt = taken instanceof Date && !Number.isNaN(taken.getTime()) ? taken : null;
    const lat = finite(tags.latitude, 90);
    const lon = finite(tags.longitude, 180);
    return { takenAt, lat: lat !== null && lon !== null ? lat : null, lon: lat !== null && lon !== null ? lon : null };
  } catch {
    // Damaged or exotic EXIF must not reject the evidence itself.
    return { takenAt: null, lat: null, lon: null };
  }
}

function finite(v: unknown, bound: number): number | null {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= bound ? v : null;
}
