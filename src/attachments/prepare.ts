// Checks every incoming file before anything is stored: count, size, type by magic bytes; reads EXIF.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Invalid } from '../errors.ts';
import { readExif, type ExifFacts } from './exif.ts';
import { ALLOWED_LIST, HEAD_BYTES, sniffType } from './sniff.ts';
import type { FileStore } from '../storage/files.ts';

/**
 * A file as it arrives: already written to a staged path in the store (uploads stream there, see src/http/uploads.ts),
 * hashed on the way, with its first bytes kept for sniffing and EXIF. Nothing of it is held in memory beyond `head`.
 */
export interface IncomingFile {
  stagedPath: string;
  sizeBytes: number;
  sha256: string;
  head: Buffer;
  originalName: string;
  field?: string;
  /** How errors name it when not `attachments[i]` (a resumable upload: `uploadIds[i]`). */
  label?: string;
}
export interface PreparedAttachment {
  stagedPath: string;
  sha256: string;
  mime: string;
  sizeBytes: number;
  originalName: string;
  exif: ExifFacts;
}
export interface AttachmentLimits {
  maxAttachments: number;
  maxAttachmentBytes: number;
}

// eslint-disable-next-line no-control-regex -- control characters are what it removes
const UNSAFE_IN_NAMES = /[\u0000-\u001f\u007f"<>|:*?]/g;

/** A client's file name is kept for display only: strip paths and control characters. */
export function safeFileName(name: string, ext: string): string {
  const base = path.posix.basename(name.replace(/\\/g, '/')).replace(UNSAFE_IN_NAMES, '_').trim();
  const cleaned = base === '' || base === '.' || base === '..' ? `attachment.${ext}` : base;
  return cleaned.slice(-200);
}

/** `localOffset` (e.g. "+02:00") is the submitting device's offset, used to read zone-less EXIF times. */
export async function prepareAttachments(
  files: IncomingFile[],
  limits: AttachmentLimits,
  localOffset = '+00:00',
): Promise<PreparedAttachment[]> {
  if (files.length > limits.maxAttachments) {
    throw new Invalid([{ field: 'attachments', reason: `at most ${limits.maxAttachments} files` }], 413);
  }
  const out: PreparedAttachment[] = [];
  for (const [i, f] of files.entries()) {
    const field = f.label ?? `attachments[${i}]`;
    if (f.sizeBytes > limits.maxAttachmentBytes) {
      throw new Invalid([{ field, reason: `larger than ${limits.maxAttachmentBytes} bytes` }], 413);
    }
    if (f.sizeBytes === 0) throw new Invalid([{ field, reason: 'is empty' }], 422);
    const type = await sniffType(f.head);
    if (!type) throw new Invalid([{ field, reason: `type not allowed (${ALLOWED_LIST}, judged by content)` }], 415);
    out.push({
      stagedPath: f.stagedPath,
      sha256: f.sha256,
      mime: type.mime,
      sizeBytes: f.sizeBytes,
      originalName: safeFileName(f.originalName, type.ext),
      // A JPEG's EXIF sits in its first segment, within the head; other formats may keep it anywhere in the file.
      exif: await readExif(
        type.mime === 'image/jpeg' || f.head.length >= f.sizeBytes ? f.head : f.stagedPath,
        type.mime,
        localOffset,
      ),
    });
  }
  return out;
}

/** Stages bytes already in memory (seed data, tools, tests) the way an upload is staged. */
export async function stageBuffer(files: FileStore, data: Buffer, originalName: string): Promise<IncomingFile> {
  const stagedPath = files.stagePath();
  await writeFile(stagedPath, data, { mode: 0o640 });
  return {
    stagedPath,
    sizeBytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    head: data.subarray(0, HEAD_BYTES),
    originalName,
  };
}
