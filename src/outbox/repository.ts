// The OutboxEvent table's one data-access module: jobs written in the transaction of the change that asks for them,
// claimed by the relay, marked published, pruned. (Intake's group-commit statement writes the outbox row of each new
// report itself, in the same statement as the report: src/reports/repository.ts insertReports.)
import type { Db, SqlTx, Tx } from '../db/client.ts';

export interface OutboxRow {
  id: bigint;
  topic: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  observerId: string | null;
}

/** A job for the relay to publish, committed with the caller's transaction. */
export async function enqueue(tx: SqlTx, topic: string, payload: Record<string, unknown>): Promise<void> {
  await tx.$executeRaw`INSERT INTO "OutboxEvent" ("topic", "payload") VALUES (${topic}, ${JSON.stringify(payload)}::jsonb)`;
}

/** Several jobs of one topic in one statement, committed with the caller's transaction. */
export async function enqueueMany(tx: SqlTx, topic: string, payloads: object[]): Promise<void> {
  if (!payloads.length) return;
  await tx.$executeRaw`INSERT INTO "OutboxEvent" ("topic", "payload")
    SELECT ${topic}, t FROM jsonb_array_elements(${JSON.stringify(payloads)}::jsonb) AS t`;
}

/**
 * Unpublished rows, oldest first, locked for this transaction; rows another relay holds are skipped. Each comes with
 * the observer of the report it names (the fair share of the workers is per observer).
 */
export async function claimUnpublished(tx: Tx, limit: number): Promise<OutboxRow[]> {
  return tx.$queryRaw<OutboxRow[]>`
      SELECT o."id", o."topic", o."payload", o."createdAt",
        (SELECT r."observerId"::text FROM "Report" r WHERE r."id" = CASE
          WHEN o."payload"->>'reportId' ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN (o."payload"->>'reportId')::uuid END) AS "observerId"
      FROM "OutboxEvent" o
      WHERE o."publishedAt" IS NULL ORDER BY o."id" LIMIT ${limit} FOR UPDATE OF o SKIP LOCKED`;
}

export async function markPublished(tx: Tx, ids: bigint[]): Promise<void> {
  await tx.$executeRaw`UPDATE "OutboxEvent" SET "publishedAt" = now(), "attempts" = "attempts" + 1 WHERE "id" = ANY(${ids}::bigint[])`;
}

/** A publish that failed: the rows are tried again; their attempts and the reason are noted. */
export async function recordFailure(db: Db, ids: bigint[], reason: string): Promise<void> {
  await db.$executeRaw`UPDATE "OutboxEvent" SET "attempts" = "attempts" + 1, "lastError" = ${reason} WHERE "id" = ANY(${ids}::bigint[])`;
}

/** Rows waiting for the relay and the oldest one's creation, for the metrics. */
export async function unpublishedBacklog(db: Db): Promise<{ unpublished: number; oldestCreatedAt: Date | null }> {
  const [row] = await db.$queryRaw<Array<{ unpublished: number; oldestCreatedAt: Date | null }>>`
    SELECT count(*)::int AS unpublished, min("createdAt") AS "oldestCreatedAt" FROM "OutboxEvent" WHERE "publishedAt" IS NULL`;
  return row ?? { unpublished: 0, oldestCreatedAt: null };
}

export async function deletePublishedBefore(db: Db, publishedBefore: Date): Promise<number> {
  return db.$executeRaw`DELETE FROM "OutboxEvent" WHERE "publishedAt" IS NOT NULL AND "publishedAt" < ${publishedBefore}`;
}
