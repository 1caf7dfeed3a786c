// The shapes of saved filters: what a commission member saves (a name, the view, the list's query string values) and
// how a saved filter is shown. The values are checked with the schema of the list endpoint they are for, so a saved
// filter always opens a list the endpoint accepts.
import { z } from 'zod';
import { QueueQuery } from '../incidents/queue.ts';
import { ReportListQuery, storable, STORABLE_REASON } from '../reports/schema.ts';

export const SAVED_FILTER_VIEWS = ['queue', 'reports'] as const;
export type SavedFilterViewName = (typeof SAVED_FILTER_VIEWS)[number];
export const MAX_SAVED_FILTERS = 50;
export const MAX_NAME_LENGTH = 80;

/**
 * What each view's list endpoint accepts, less the page position: GET /api/incidents for the queue (filters, state
 * tabs and sort), GET /api/reports for the reports table.
 */
export const LIST_QUERIES: Record<SavedFilterViewName, z.ZodType> = {
  queue: QueueQuery.omit({ cursor: true, limit: true }).strict(),
  reports: ReportListQuery.omit({ cursor: true, limit: true }).strict(),
};

const View = z.enum(SAVED_FILTER_VIEWS).meta({
  description: '`queue`: the incident queue (GET /api/incidents); `reports`: the reports table (GET /api/reports).',
});
const Name = z.string().trim().min(1).max(MAX_NAME_LENGTH).refine(storable, STORABLE_REASON);
const Query = z
  .record(z.string().min(1).max(40), z.string().max(300))
  .refine((q) => Object.keys(q).length <= 30, 'at most 30 parameters')
  .meta({
    description:
      'The list\'s query string as name → value (e.g. {"term": "hostilities", "flagged": "true"}), checked with that list\'s own parameters; cursor and limit are not kept.',
  });

export const SavedFilterInput = z
  .object({ view: View, name: Name, query: Query })
  .strict()
  .meta({ id: 'SavedFilterInput' });
export type SavedFilterInput = z.infer<typeof SavedFilterInput>;

export const SavedFilterPatch = z
  .object({ name: Name.optional(), query: Query.optional() })
  .strict()
  .refine((p) => p.name !== undefined || p.query !== undefined, { message: 'give a new name, a new query or both' })
  .meta({ id: 'SavedFilterPatch' });
export type SavedFilterPatch = z.infer<typeof SavedFilterPatch>;

export const SavedFilterQuery = z.object({ view: View.optional() }).strict();

export const SavedFilter = z
  .object({
    id: z.string().uuid(),
    view: View,
    name: z.string(),
    query: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'SavedFilter' });
