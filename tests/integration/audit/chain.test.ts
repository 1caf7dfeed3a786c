import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, auditHash, GENESIS_HASH, verifyAuditChain, type AuditAction } from '../../../src/audit/index.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import { createTestDatabase } from '../../helpers/db.ts';
import { ROOT } from '../../helpers/processes.ts';
const run = promisify(execFile);

function stepClock(start = Date.parse('2021-01-10T08:00:00Z')) {
  let t = start;
  return { now: () => new Date((t += 1000)) };
}

// Each scenario that tampers with the chain gets its own database: nothing can restore a tampered chain.
async function freshChain(rows: number) {
  const tdb = await createTestDatabase();
  const db = createDb(tdb.url, { max: 4 });
  const clock = stepClock();
  const actions: AuditAction[] = ['login', 'incident_state_changed', 'incident_corrected', 'comment_added', 'logout'];
  for (let i = 0; i < rows; i++) {
    await db.$transaction((tx) =>
      appendAudit(
        tx,
        {
          actorName: 'reviewer1',
          action: actions[i % actions.length],
          entityType: 'incident',
          entityId: `inc-${i}`,
          before: { state: 'new' },
          after: { state: 'verified', n: i },
        },
        clock,
      ),
    );
  }
  return {
    db,
    tdb,
    close: async () => {
      await db.$disconnect();
      await tdb.drop();
    },
  };
}

/** What an attacker with superuser access does: switch the append-only trigger off, change rows, switch it on. */
async function tamper(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
    await c.query(sql, params);
    await c.query('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
  } finally {
    await c.end();
  }
}

async function verifyCli(url: string, args: string[] = []) {
  return run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/audit-verify.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
  })
    .then((r) => ({ code: 0, out: r.stdout + r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));
}

describe('audit chain', () => {
  let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = createDb(tdb.url, { max: 8 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await tdb.drop();
  });

  it('stays one linear chain when many transactions append at once', async () => {
    const clock = stepClock();
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        db.$transaction(
          async (tx) => {
            await appendAudit(
              tx,
              {
                actorName: `u${i}`,
                action: 'incident_state_changed',
                entityType: 'incident',
                entityId: `i${i}`,
                before: { state: 'new' },
                after: { state: 'under_review' },
              },
              clock,
            );
            await appendAudit(
              tx,
              {
                actorName: `u${i}`,
                action: 'comment_added',
                entityType: 'incident',
                entityId: `i${i}`,
                after: { body: `note ${i}` },
              },
              clock,
            );
          },
          { timeout: 30_000, maxWait: 30_000 },
        ),
      ),
    );
    const rows = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 48 }, (_, i) => BigInt(i + 1)));
    expect(rows[0].prevHash).toBe(GENESIS_HASH);
    rows.forEach((r, i) => {
      if (i > 0) expect(r.prevHash).toBe(rows[i - 1].hash);
      expect(auditHash(r.prevHash, r)).toBe(r.hash);
    });
    // each transaction's two rows sit next to each other: the lock is held until commit
    for (let i = 0; i < 48; i += 2) expect(rows[i].entityId).toBe(rows[i + 1].entityId);
    expect(await verifyAuditChain(db, { batchSize: 7 })).toEqual({ ok: true, checked: 48 });
  });

  it('leaves no gap when a transaction that appended rolls back, and accepts the plain client', async () => {
    const clock = stepClock(Date.parse('2021-02-01T00:00:00Z'));
    await expect(
      db.$transaction(async (tx) => {
        await appendAudit(tx, { action: 'user_created', entityType: 'user', entityId: 'x' }, clock);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const row = await appendAudit(
      db,
      {
        actorId: null,
        action: 'token_created',
        entityType: 'token',
        entityId: 't1',
        after: { at: new Date('2021-02-01T00:00:00Z'), skip: undefined },
      },
      clock,
    );
    expect(row.seq).toBe(49n);
    expect(row.after).toEqual({ at: '2021-02-01T00:00:00.000Z' });
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 49 });
  });

  it('rejects UPDATE, DELETE and TRUNCATE at the database level', async () => {
    await expect(db.$executeRaw`UPDATE "AuditEvent" SET "action" = 'logout' WHERE seq = 1`).rejects.toThrow(
      /append-only/,
    );
    await expect(db.$executeRaw`DELETE FROM "AuditEvent" WHERE seq = 1`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`TRUNCATE "AuditEvent"`).rejects.toThrow(/append-only/);
    expect(await db.auditEvent.count()).toBe(49);
  });

  it('npm run audit:verify exits 0 and prints the rows checked', async () => {
    const r = await verifyCli(tdb.url);
    expect(r.code).toBe(0);
    expect(r.out).toContain('49 rows checked');
  });
});

describe('audit chain tampering', () => {
  it('names an altered row', async () => {
    const chain = await freshChain(8);
    try {
      await tamper(chain.tdb.url, `UPDATE "AuditEvent" SET "after" = '{"state":"rejected","n":4}' WHERE seq = 5`);
      expect(await verifyAuditChain(chain.db, { batchSize: 3 })).toEqual({
        ok: false,
        checked: 4,
        firstBad: { seq: 5n, reason: 'altered', action: 'logout' },
      });
      const r = await verifyCli(chain.tdb.url);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/seq=5 reason=altered \(action=logout\)/);
    } finally {
      await chain.close();
    }
  });

  it('detects a cut tail through an anchor kept outside the database (the rest of the chain still verifies)', async () => {
    const chain = await freshChain(8);
    try {
      const before = await verifyCli(chain.tdb.url);
      const head = /head: (\d+:[0-9a-f]{64})/.exec(before.out)![1]!;
      expect(head).toMatch(/^8:/);
      expect((await verifyCli(chain.tdb.url, ['--anchor', head])).code).toBe(0);
      await tamper(chain.tdb.url, 'DELETE FROM "AuditEvent" WHERE seq >= 7');
      expect(await verifyAuditChain(chain.db)).toEqual({ ok: true, checked: 6 });
      const r = await verifyCli(chain.tdb.url, ['--anchor', head]);
      expect(r.code).toBe(1);
      expect(r.out).toContain(`does not hold anchor ${head}: row absent`);
      expect((await verifyCli(chain.tdb.url, ['--anchor', 'nonsense'])).code).toBe(2);
    } finally {
      await chain.close();
    }
  });

  it('names a deleted row', async () => {
    const chain = await freshChain(8);
    try {
      await tamper(chain.tdb.url, 'DELETE FROM "AuditEvent" WHERE seq = 3');
      expect(await verifyAuditChain(chain.db)).toEqual({
        ok: false,
        checked: 2,
        firstBad: { seq: 3n, reason: 'missing', action: 'comment_added' },
      });
      const r = await verifyCli(chain.tdb.url);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/seq=3 reason=missing/);
    } finally {
      await chain.close();
    }
  });

  it('catches a row rewritten with a recomputed hash at the link to the next row', async () => {
    const chain = await freshChain(6);
    try {
      const row = (await chain.db.auditEvent.findUnique({ where: { seq: 2n } }))!;
      const forged = { ...row, after: { state: 'rejected' } };
      await tamper(chain.tdb.url, 'UPDATE "AuditEvent" SET "after" = $1, "hash" = $2 WHERE seq = 2', [
        forged.after,
        auditHash(row.prevHash, forged),
      ]);
      expect(await verifyAuditChain(chain.db)).toEqual({
        ok: false,
        checked: 2,
        firstBad: { seq: 3n, reason: 'broken-link', action: 'incident_corrected' },
      });
    } finally {
      await chain.close();
    }
  });

  it('treats swapped rows as altered', async () => {
    const chain = await freshChain(6);
    try {
      await tamper(
        chain.tdb.url,
        'UPDATE "AuditEvent" SET seq = 1000 WHERE seq = 3; UPDATE "AuditEvent" SET seq = 3 WHERE seq = 4; UPDATE "AuditEvent" SET seq = 4 WHERE seq = 1000',
      );
      expect(await verifyAuditChain(chain.db)).toMatchObject({
        ok: false,
        checked: 2,
        firstBad: { seq: 3n, reason: 'altered' },
      });
    } finally {
      await chain.close();
    }
  });
});
