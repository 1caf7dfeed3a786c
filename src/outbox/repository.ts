// The OutboxEvent table's one data-access module: jobs written in the transaction of the change that asks for them,
// claimed by the relay, marked published, pruned. (Intake's group-commit statement writes the outbox row of each new
// report itself, in the same statement as the report: src/reports/repository.ts insertReports.)
import type { Db, SqlTx, Tx } from '../db/client.ts';

export interface OutboxRow { id: bigint; topic: string; payload: Record<string, unknown>; createdAt: Date }

/** A job for the relay to publish, committed with the caller's transaction. */
export async function enqueue(tx: SqlTx, topic: string, payload: Record<string, unknown>): Promise<void> {
  await tx.$executeRaw`INSERT INTO "OutboxEvent" ("topic", "payload") VALUES (${topic}, ${JSON.stringify(payload)}::jsonb)`;
}

/** Unpublished rows, oldest first, locked for this transaction; rows another relay holds are skipped. */
export async function claimUnpublished(tx: Tx, limit: number): Promise<OutboxRow[]> {
  return tx.$queryRaw<OutboxRow[]>`
      SELECT "id", "topic", "payload", "createdAt" FROM "OutboxEvent"
      WHERE "publishedAt" IS NULL ORDER BY "id" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

export async function markPublished(tx: Tx, ids: bigint[]): Promise<void> {
  await tx.$executeRaw`UPDATE "OutboxEvent" SET "publishedAt" = now(), "attempts" = "attempts" + 1 WHERE "id" = ANY(${ids}::bigint[])`;
}

export async function deletePublishedBefore(db: Db, publishedBefore: Date): Promise<number> {
  return db.$executeRaw`DELETE FROM "OutboxEvent" WHERE "publishedAt" IS NOT NULL AND "publishedAt" < ${publishedBefore}`;
}
