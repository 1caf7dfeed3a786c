// A busy database is a 503 to retry, not a 500: a transaction that cannot start in time (the pool held by others,
// as when the workers hold an incident's row for a batch) rolls back whole, so nothing was stored. A row another
// request deleted between a route's check and its write (Prisma's P2025) is a 404, not a 500.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../../src/db/client.ts';
import { problemOf } from '../../../src/http/errors.ts';
import { retryOnDeadlock } from '../../../src/db/retry.ts';
import { createTestDatabase } from '../../helpers/db.ts';

let t: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
beforeAll(async () => {
  t = await createTestDatabase();
  db = createDb(t.url, { max: 1 });
});
afterAll(async () => {
  await db?.$disconnect();
  await t?.drop();
});

describe('database contention', () => {
  it('a transaction that cannot start in time answers 503 with Retry-After', async () => {
    let release!: () => void;
    let holding!: () => void;
    const holds = new Promise<void>((r) => (holding = r));
    const held = db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await new Promise<void>((r) => {
        release = r;
        holding();
      });
    });
    // Wait until the one connection is really held (a fixed pause lost the race on a loaded host).
    await holds;
    const err = await db
      .$transaction(async (tx) => tx.$queryRaw`SELECT 1`, { maxWait: 100 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    release();
    await held;
    expect(err).not.toBeNull();
    const p = problemOf(err);
    expect(p).toMatchObject({ status: 503, code: 'busy', headers: { 'Retry-After': '2' } });
  });

  it('a deadlock between two transactions answers 503 for the one PostgreSQL aborts', async () => {
    const two = createDb(t.url, { max: 2 });
    try {
      await two.$executeRawUnsafe('CREATE TABLE lockpair (id int primary key, v int)');
      await two.$executeRawUnsafe('INSERT INTO lockpair VALUES (1, 0), (2, 0)');
      let step!: () => void;
      const bothHoldOne = new Promise<void>((r) => (step = r));
      let holding = 0;
      const grab = (first: number, second: number) =>
        two.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`UPDATE lockpair SET v = v + 1 WHERE id = ${first}`);
          if (++holding === 2) step();
          await bothHoldOne;
          await tx.$executeRawUnsafe(`UPDATE lockpair SET v = v + 1 WHERE id = ${second}`);
        });
      const results = await Promise.allSettled([grab(1, 2), grab(2, 1)]);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(problemOf(failed[0]!.reason)).toMatchObject({ status: 503, code: 'busy' });
    } finally {
      await two.$disconnect();
    }
  });
});

describe('a deadlock victim run again', () => {
  it('both transactions of a deadlock complete when each is run through retryOnDeadlock', async () => {
    const two = createDb(t.url, { max: 2 });
    try {
      await two.$executeRawUnsafe('CREATE TABLE lockpair2 (id int primary key, v int)');
      await two.$executeRawUnsafe('INSERT INTO lockpair2 VALUES (1, 0), (2, 0)');
      let step!: () => void;
      const bothHoldOne = new Promise<void>((r) => (step = r));
      let holding = 0;
      let tries = 0;
      const grab = (first: number, second: number) =>
        retryOnDeadlock(() =>
          two.$transaction(async (tx) => {
            tries++;
            await tx.$executeRawUnsafe(`UPDATE lockpair2 SET v = v + 1 WHERE id = ${first}`);
            if (++holding === 2) step();
            await bothHoldOne;
            await tx.$executeRawUnsafe(`UPDATE lockpair2 SET v = v + 1 WHERE id = ${second}`);
          }),
        );
      const results = await Promise.allSettled([grab(1, 2), grab(2, 1)]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      // One of the two was PostgreSQL's victim and ran again; its first run left nothing behind.
      expect(tries).toBe(3);
      expect(await two.$queryRawUnsafe('SELECT id, v FROM lockpair2 ORDER BY id')).toEqual([
        { id: 1, v: 2 },
        { id: 2, v: 2 },
      ]);
    } finally {
      await two.$disconnect();
    }
  });

  it('is not run again for any other failure', async () => {
    let runs = 0;
    const err = await retryOnDeadlock(async () => {
      runs++;
      throw Object.assign(new Error('unique constraint'), { code: 'P2002' });
    }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('P2002');
    expect(runs).toBe(1);
  });
});

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the statement to fail');
    },
    (e: unknown) => e,
  );

describe('a row gone before the write', () => {
  it('an update or a delete of a missing row answers 404 not_found, and nothing is logged as a bug', async () => {
    for (const err of [
      await failureOf(db.savedFilter.delete({ where: { id: randomUUID() } })),
      await failureOf(db.savedFilter.update({ where: { id: randomUUID() }, data: { name: 'x' } })),
      await failureOf(db.$transaction((tx) => tx.savedFilter.delete({ where: { id: randomUUID() } }))),
    ]) {
      expect((err as { code?: string }).code).toBe('P2025');
      const p = problemOf(err);
      expect(p).toMatchObject({ status: 404, code: 'not_found' });
      expect(p.log).toBeUndefined();
      expect(p.message).not.toMatch(/prisma|invocation|\n/i);
    }
  });
});
