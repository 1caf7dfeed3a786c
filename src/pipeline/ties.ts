// A report that matched two incidents firmly ties them: they are merged by a job of their own (through the same
// merge reviewers use, audited and reversible by a split, never against a reviewer's separation), queued in this
// transaction through the outbox so the tie is not lost if the process dies after the commit.
import type { SqlTx } from '../db/client.ts';
import { enqueueMany } from '../outbox/repository.ts';
import { INCIDENTS_TIED, type MergeTiedJob } from '../queue/names.ts';

export async function queueTiedMerges(tx: SqlTx, ties: MergeTiedJob[]): Promise<void> {
  await enqueueMany(tx, INCIDENTS_TIED, ties);
}
