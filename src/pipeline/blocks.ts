// The dedup blocks a report could join: its cells, its place and its photos. Reports that could land in the same
// incident share one of them; locking them (src/dedup/repository.ts) means two such reports are assigned one after
// the other and cannot both open a new incident for the same event.
import type { SqlTx } from '../db/client.ts';
import { lockBlockKeys } from '../dedup/repository.ts';
import type { Analysis, ReportForProcessing } from './types.ts';

export function blockKeys(analysis: Analysis, report: ReportForProcessing): string[] {
  return [
    ...analysis.query.cells.map((c) => `cell:${c}`),
    ...(analysis.place.key ? [`place:${analysis.place.key}`] : []),
    ...report.attachmentHashes.map((h) => `sha:${h}`),
  ];
}

/** Also with no keys: the statement sets the candidate lookup's settings (LOOKUP_SETTINGS), as in a batch. */
export async function lockBlocks(tx: SqlTx, analysis: Analysis, report: ReportForProcessing): Promise<void> {
  await lockBlockKeys(tx, blockKeys(analysis, report));
}
