import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exifTime, readExif } from '../../../src/attachments/exif.ts';
import { safeFileName } from '../../../src/attachments/prepare.ts';
import { sniffType } from '../../../src/attachments/sniff.ts';

describe('EXIF capture time', () => {
  it('uses the offset the camera recorded', () => {
    expect(exifTime('2020:11:14 05:38:00', '+02:00', '+00:00')?.toISOString()).toBe('2020-11-14T03:38:00.000Z');
  });
  it('falls back to the device offset for zone-less times', () => {
    expect(exifTime('2020:11:14 05:38:00', undefined, '+02:00')?.toISOString()).toBe('2020-11-14T03:38:00.000Z');
  });
  it('ignores garbage', () => {
    expect(exifTime('yesterday', undefined, '+02:00')).toBeNull();
    expect(exifTime(undefined, undefined, '+02:00')).toBeNull();
  });
  it('reads time and GPS from a real JPEG', async () => {
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: 'red' } })
      .jpeg()
      .withExif({
        IFD2: { DateTimeOriginal: '2021:01:02 10:00:00' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '32/1 22/1 3000/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '15/1 5/1 0/100',
        },
      } as never)
      .toBuffer();
    const facts = await readExif(jpeg, 'image/jpeg', '+02:00');
    expect(facts.takenAt?.toISOString()).toBe('2021-01-02T08:00:00.000Z');
    expect(facts.lat).toBeCloseTo(32.375, 3);
    expect(facts.lon).toBeCloseTo(15.0833, 3);
  });
  it('has nothing to say about a PDF', async () => {
    expect(await readExif(Buffer.from('%PDF-1.4'), 'application/pdf')).toEqual({ takenAt: null, lat: null, lon: null });
  });
});

describe('attachment type and name', () => {
  it('decides by magic bytes', async () => {
    const webp = await sharp({ create: { width: 4, height: 4, channels: 3, background: 'blue' } })
      .webp()
      .toBuffer();
    expect(await sniffType(webp)).toEqual({ mime: 'image/webp', ext: 'webp' });
    expect(await sniffType(Buffer.from('MZ\x90\x00 not a picture'))).toBeNull();
    expect(await sniffType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
  });
  it('keeps a display name without paths or control characters', () => {
    expect(safeFileName('C:\\Users\\x\\..\\photo.jpg', 'jpg')).toBe('photo.jpg');
    expect(safeFileName('../../', 'jpg')).toBe('attachment.jpg');
    expect(safeFileName('a\u0000b"<c>.pdf', 'pdf')).toBe('a_b__c_.pdf');
  });
});
