// PrismaClient over node-postgres (Prisma 7's Rust-free client): no engine binary is needed at run time.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;
export { Prisma } from '../generated/prisma/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** A Prisma client or transaction: what repositories that use Prisma's query builder take. */
export type Tx = Prisma.TransactionClient;

/**
 * Raw SQL only, the two methods the hot-path statements use. A Prisma client or transaction has them, and so does
 * the pipeline's plain node-postgres transaction (src/db/pg-tx.ts): a repository function that takes a SqlTx runs on
 * either, and one that needs Prisma's query builder asks for a Tx instead, so the type says which it can run on.
 */
export interface SqlTx {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<number>;
}

export function createDb(databaseUrl: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10 });
  // Prisma's defaults (2 s to start a transaction, 5 s to finish it) fail requests on a loaded host while the workers
  // hold an incident's row for a batch; a request waits its turn instead, and what still times out is a 503 to retry.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 20_000 } });
}
