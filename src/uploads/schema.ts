// A resumable photo upload: created with its length, sent in chunks at the offset the server holds, then cited by a
// report by id (src/uploads/service.ts).
import { z } from 'zod';

export const UploadInput = z
  .object({
    lengthBytes: z.number().int().min(1).meta({ description: 'The whole file, in bytes.' }),
    originalName: z.string().trim().min(1).max(255).meta({ description: 'Shown with the report; paths stripped.' }),
  })
  .strict()
  .meta({ id: 'UploadInput' });
export type UploadInput = z.infer<typeof UploadInput>;

export const UploadView = z
  .object({
    id: z.string().uuid(),
    lengthBytes: z.number().int(),
    offsetBytes: z.number().int().meta({ description: 'Bytes the server holds: the next chunk starts here.' }),
    complete: z.boolean(),
    sha256: z.string().nullable().meta({ description: 'Of the whole file, once complete.' }),
    reportId: z.string().uuid().nullable().meta({ description: 'The report this photo became evidence of.' }),
    expiresAt: z.string().meta({ description: 'Unfinished and unused after this time, the upload is swept.' }),
  })
  .meta({ id: 'Upload' });
export type UploadView = z.infer<typeof UploadView>;

/** `uploadIds` of a report: finished uploads of the same observer, each cited once. */
export const UploadIds = z.array(z.string().uuid()).max(50);
