// WEB_CONCURRENCY=2: two API processes share the port, the primary keeps the relay and the workers;
// /metrics from either answers for the whole cluster; a killed API process is replaced, and SIGTERM stops them all
// cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../helpers/db.ts';
import { spawnServer, type ServerProcess } from '../../helpers/processes.ts';
import { bearer } from '../../helpers/http.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeReport } from '../../helpers/factories.ts';
import { createDb } from '../../../src/db/client.ts';
import { createUser } from '../../../src/users/index.ts';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let server: ServerProcess;
const METRICS_TOKEN = 'cluster-metrics-token-0123456789';

beforeAll(async () => {
  tdb = await createTestDatabase();
  const db = createDb(tdb.url, { max: 1 });
  await createUser(db, { username: 'cluster.observer', password: 'cluster-password', role: 'observer' });
  await db.$disconnect();
  server = await spawnServer({
    role: 'all',
    env: {
      DATABASE_URL: tdb.url,
      WEB_CONCURRENCY: '2',
      METRICS_TOKEN,
      LOG_LEVEL: 'info',
      QUEUE_PREFIX: `cl-${randomBytes(3).toString('hex')}`,
      STORAGE_DIR: await mkdtemp(path.join(os.tmpdir(), 'cluster-')),
    },
  });
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await tdb.drop();
});

const apiPids = () =>
  new Set(server.output.filter((l) => l.includes('"api listening"')).map((l) => JSON.parse(l).pid as number));

describe('API on several processes', () => {
  it('serves from two processes, files reports through either, and the primary processes them', async () => {
    for (let i = 0; i < 50 && apiPids().size < 2; i++) await new Promise((r) => setTimeout(r, 200));
    expect(apiPids().size).toBe(2);
    expect(apiPids().has(server.pid)).toBe(false);
    const token = await bearer(server.url).post('/api/auth/token', {
      username: 'cluster.observer',
      password: 'cluster-password',
    });
    expect(token.status).toBe(200);
    const client = bearer(server.url, token.body.token);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await client.post('/api/reports', makeReport())).body.id);
    for (const id of ids) {
      let status = '';
      for (let i = 0; i < 300 && status !== 'processed'; i++) {
        status = (await client.get(`/api/reports/${id}`)).body.status;
        if (status !== 'processed') await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe('processed');
    }
  });

  it("answers /metrics from either process with the cluster's: both API processes' requests and the primary's workers", async () => {
    // A new connection each time: node:cluster hands connections to the API processes in turn.
    const scrape = async () => {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) =>
        http
          .get(
            `${server.url}/metrics`,
            { agent: false, headers: { authorization: `Bearer ${METRICS_TOKEN}` } },
            (res) => {
              let body = '';
              res.setEncoding('utf8').on('data', (c: string) => (body += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, text: body }));
            },
          )
          .on('error', reject),
      );
      expect(status).toBe(200);
      const series = (line: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(line))
            ?.split(' ')
            .pop(),
        );
      return {
        received: series('ceasefire_reports_received_total{source="api"}'),
        processed: series('ceasefire_jobs_done_total{queue="reports",outcome="processed"}'),
        filings: series(
          'ceasefire_http_request_duration_seconds_count{method="POST",route="/api/reports",status="201"}',
        ),
        unprocessed: series('ceasefire_reports_unprocessed'),
      };
    };
    // A job is counted when BullMQ reports it completed, a moment after its report's commit.
    await waitFor(async () => (await scrape()).processed === 6, 'six report jobs counted');
    // Whichever process answers, every scrape counts all six reports, filed through either.
    for (let i = 0; i < 6; i++) {
      expect(await scrape()).toEqual({ received: 6, processed: 6, filings: 6, unprocessed: 0 });
    }
  });

  it('replaces an API process that dies, and stops everything on SIGTERM', async () => {
    const [victim] = [...apiPids()];
    process.kill(victim!, 'SIGKILL');
    for (let i = 0; i < 100 && apiPids().size < 3; i++) await new Promise((r) => setTimeout(r, 200));
    expect(apiPids().size).toBe(3);
    expect((await bearer(server.url).get('/readyz')).status).toBe(200);
    const exit = await server.kill('SIGTERM');
    expect(exit.code).toBe(0);
    for (const pid of apiPids()) expect(() => process.kill(pid, 0)).toThrow();
  });
});
