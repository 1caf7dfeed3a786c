// A stopping worker process closes what it opened: the node-postgres pools the reports and incidents workers run
// their transactions on end with the workers, so no connection outlives them (main.ts exits right after, which would
// otherwise cut them from the server's side).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../../helpers/db.ts';
import { loadConfig } from '../../../src/config.ts';
import { createRuntime } from '../../../src/runtime.ts';
import { createLogger } from '../../../src/logger.ts';
import { startWorkers } from '../../../workers/index.ts';
import { JOBS, QUEUES } from '../../../src/queue/names.ts';
import { waitFor } from '../../helpers/wait.ts';

let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  await drop?.();
});

describe('stopping the workers', () => {
  it('leaves no database connection of theirs open', async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.url,
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
    });
    const rt = createRuntime(config, { log: createLogger('silent') });
    const workers = startWorkers(rt, [QUEUES.reports, QUEUES.incidents]);
    // One job each, run on the workers' own pools: a report that is not there, a tie of incidents that are not.
    const jobs = [
      await rt.queues.get(QUEUES.reports)!.add(JOBS.processReport, { reportId: randomUUID() }),
      await rt.queues
        .get(QUEUES.incidents)!
        .add(JOBS.mergeTied, { incidentId: randomUUID(), otherIds: [randomUUID()], reportId: randomUUID() }),
    ];
    await waitFor(
      async () => (await Promise.all(jobs.map((j) => j.getState()))).every((s) => s === 'completed'),
      'both jobs done',
    );
    await workers.close();
    await Promise.allSettled([...rt.queues.values()].map((q) => q.obliterate({ force: true })));
    await rt.close();
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    try {
      const open = async () =>
        (
          await admin.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
          )
        ).rows[0]!.n;
      // Closed connections leave pg_stat_activity within moments; an idle pool's stay for its idle timeout (10 s).
      await new Promise((r) => setTimeout(r, 1000));
      expect(await open()).toBe(0);
    } finally {
      await admin.end();
    }
  }, 60_000);
});
