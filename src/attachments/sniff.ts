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

export async function sniffType(data: Buffer): Promise<{ mime: string; ext: string } | null> {
  const found = await fileTypeFromBuffer(data);
  if (!found) return null;
  // HEIC files and QuickTime-branded phone videos are reported under several brands; normalise to the allow-list.
  const mime = found.mime === 'image/heif' ? 'image/heic' : found.mime;
  return ALLOWED_TYPES[mime] ? { mime, ext: ALLOWED_TYPES[mime] } : null;
}
