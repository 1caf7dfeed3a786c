// Each integration test file gets a database of its own, cloned from a migrated template,
// so files run in parallel against the real PostgreSQL without seeing each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';

export const BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function urlFor(dbName: string): string {
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: urlFor('postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function prepareTestTemplate(name: string): Promise<void> {
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  await migrate(urlFor(name));
}

export async function dropTemplate(name: string): Promise<void> {
  await admin(async (c) => {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
  });
}

export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `ceasefire_test_${randomBytes(5).toString('hex')}`;
  // CREATE DATABASE ... TEMPLATE fails while another session is connected to the template; retry briefly.
  const template = inject('templateDb');
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 + attempt * 50));
    }
  }
  return {
    url: urlFor(name),
    name,
    drop: () =>
      admin(async (c) => {
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }),
  };
}
