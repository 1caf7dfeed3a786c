// A transaction on a plain node-postgres client that offers the two raw-SQL methods the pipeline's statements
// use ($queryRaw / $executeRaw, with a Prisma.Sql or as a tagged template): a SqlTx (src/db/client.ts), so the same
// repository functions run on it or inside a Prisma transaction. The batched pipeline runs on it: Prisma's client spent 1–2 ms of
// CPU per statement of a batch (query interpretation, value mapping); on the driver alone a batch of 32
// costs ~150 µs less worker CPU per report (in-process A/B, 3 × 3000 reports, alternating).
// Results differ from Prisma's only for types the pipeline does not read raw (int8 and numeric come back as
// strings, not BigInt/Decimal): every statement it runs casts counts to int.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Prisma, type SqlTx } from './client.ts';

/**
 * A statement that begins with this comment runs on this driver as a named statement: parsed once per connection,
 * and after PostgreSQL's first five runs executed on one generic plan when that costs no more (createPgPool). For a
 * statement whose only parameters are values the planner cannot see into (a JSON list) and whose limits are written
 * into its text, the plan made once is the plan it would make every time; the candidate lookup spent 1.5-2 ms of its
 * 3-5 ms parsing and planning on each call. Through Prisma the comment is only a comment.
 */
export const PREPARED = '/* prepared */';
const MAX_NAMES = 256;
const names = new Map<string, string>();
/** The statement's name: its text's hash (the same text, the same statement on every connection). */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `s${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    // A bounded memo: statements are built from a handful of shapes (the lookup's size is in its text).
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return name;
}

const sqlOf = (a: unknown, values: unknown[]): Prisma.Sql =>
  Array.isArray(a) ? Prisma.sql(a as unknown as TemplateStringsArray, ...values) : (a as Prisma.Sql);

/** A node-postgres client seen as a SqlTx: the raw-SQL methods, nothing of Prisma's query builder. */
export function pgTx(client: pg.ClientBase): SqlTx {
  // Unnamed statements, planned per execution, but for those marked PREPARED: every statement named went to generic
  // plans that cost PostgreSQL ~70% more CPU per report than the planning they saved (statements whose parameters
  // the planner reads: ids, times, limits).
  const run = (a: unknown, values: unknown[]) => {
    const s = sqlOf(a, values);
    return s.text.startsWith(PREPARED)
      ? client.query({ name: statementName(s.text), text: s.text, values: s.values })
      : client.query(s.text, s.values);
  };
  return {
    // Rows as the driver gives them, typed by the caller as with Prisma's $queryRaw<T>.
    $queryRaw: async <T>(a: TemplateStringsArray | Prisma.Sql, ...v: unknown[]) => (await run(a, v)).rows as T,
    $executeRaw: async (a: TemplateStringsArray | Prisma.Sql, ...v: unknown[]) => (await run(a, v)).rowCount ?? 0,
  };
}

export function createPgPool(
  databaseUrl: string,
  max = 4,
  onIdleError: (err: Error) => void = () => undefined,
): pg.Pool {
  // allowExitOnIdle: an idle pool does not keep a stopping worker alive. JIT off, as the lookups already set it
  // (LOOKUP_SETTINGS): compiling cost far more than these statements' work. lock_timeout: a batch waiting on a lock
  // an abandoned transaction holds fails after a minute and its reports go one by one (src/pipeline/batcher.ts),
  // instead of holding up the worker process. plan_cache_mode is left as it is (auto): forcing generic plans also
  // applies to unnamed statements, whose ids, times and limits the planner needs; a named statement (PREPARED) goes
  // to its generic plan after five runs when that plan costs no more, as the lookup's does.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    allowExitOnIdle: true,
    options: '-c jit=off -c lock_timeout=60000',
  });
  // An idle connection cut by the server (restart, failover, database dropped) is an 'error' event, which
  // unheard would end the process; the pool drops that connection and opens a new one when next needed.
  pool.on('error', onIdleError);
  return pool;
}

export async function inPgTransaction<T>(pool: pg.Pool, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(pgTx(client));
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection whose rollback failed is closed instead of going back to the pool.
    client.release(broken);
  }
}
