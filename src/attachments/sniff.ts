// The type of an attachment is decided by its magic bytes, never by its name or the client's MIME type.
import { fileTypeFromBuffer } from 'file-type';

export const ALLOWED_TYPES: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heic',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
};

/** The file-type library decides from at most this many leading bytes. */
export const SNIFF_BYTES = 4100;
/** Leading bytes kept in memory per file: the type, and the EXIF of a JPEG (its APP1 segment is at most 64 KiB). */
export const HEAD_BYTES = 128 * 1024;
export const ALLOWED_LIST = 'JPEG, PNG, WebP, HEIC, PDF or MP4';

export async function sniffType(data: Buffer): Promise<{ mime: string; ext: string } | null> {
  const found = await fileTypeFromBuffer(data);
  if (!found) return null;
  // HEIC files and QuickTime-branded phone videos are reported under several brands; normalise to the allow-list.
  const mime = found.mime === 'image/heif' ? 'image/heic' : found.mime;
  return ALLOWED_TYPES[mime] ? { mime, ext: ALLOWED_TYPES[mime] } : null;
}
