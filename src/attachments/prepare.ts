// Checks every incoming file before anything is stored: count, size, type by magic bytes; reads EXIF.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Invalid } from '../errors.ts';
import { readExif, type ExifFacts } from './exif.ts';
import { sniffType } from './sniff.ts';

export interface IncomingFile { buffer: Buffer; originalName: string; field?: string }
export interface PreparedAttachment {
  buffer: Buffer; sha256: string; mime: string; sizeBytes: number; originalName: string; exif: ExifFacts;
}
export interface AttachmentLimits { maxAttachments: number; maxAttachmentBytes: number }

/** A client's file name is kept for display only: strip paths and control characters. */
export function safeFileName(name: string, ext: string): string {
  const base = path.posix.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_').trim();
  const cleaned = base === '' || base === '.' || base === '..' ? `attachment.${ext}` : base;
  return cleaned.slice(-200);
}

/** `localOffset` (e.g. "+02:00") is the submitting device's offset, used to read zone-less EXIF times. */
export async function prepareAttachments(files: IncomingFile[], limits: AttachmentLimits, localOffset = '+00:00'): Promise<PreparedAttachment[]> {
  if (files.length > limits.maxAttachments) {
    throw new Invalid([{ field: 'attachments', reason: `at most ${limits.maxAttachments} files` }], 413);
  }
  const out: PreparedAttachment[] = [];
  for (const [i, f] of files.entries()) {
    const field = `attachments[${i}]`;
    if (f.buffer.length > limits.maxAttachmentBytes) {
      throw new Invalid([{ field, reason: `larger than ${limits.maxAttachmentBytes} bytes` }], 413);
    }
    if (f.buffer.length === 0) throw new Invalid([{ field, reason: 'is empty' }], 422);
    const type = await sniffType(f.buffer);
    if (!type) throw new Invalid([{ field, reason: 'type not allowed (JPEG, PNG, WebP, HEIC, PDF or MP4, judged by content)' }], 415);
    out.push({
      buffer: f.buffer,
      sha256: createHash('sha256').update(f.buffer).digest('hex'),
      mime: type.mime,
      sizeBytes: f.buffer.length,
      originalName: safeFileName(f.originalName, type.ext),
      exif: await readExif(f.buffer, type.mime, localOffset),
    });
  }
  return out;
}
