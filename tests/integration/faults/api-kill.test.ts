// The API process is killed (SIGKILL) while multipart uploads are in flight — some finished, some being
// processed, some half-sent (their files staged mid-part when the process dies). Afterwards no report is
// half-stored (a Report row always has all the photos its observer sent, and an outbox job), every Attachment
// row's file is on disk with the bytes its hash names, the debris of the kill (staged parts, files of reports
// that never committed) is gone once the orphan sweep's grace has passed without the sweep taking any evidence,
// and resending what failed completes every report exactly once.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../../src/queue/names.ts';
import { createDb, type Db } from '../../../src/db/client.ts';
import { createUser } from '../../../src/users/index.ts';
import { createToken } from '../../../src/tokens/index.ts';
import { createFileStore } from '../../../src/storage/files.ts';
import { createTestDatabase } from '../../helpers/db.ts';
import { spawnServer, waitFor, type ServerProcess } from '../../helpers/processes.ts';
import { listStore, storeProblems, sweepPastGrace } from '../../helpers/store-invariants.ts';
import { makeReport } from '../../helpers/factories.ts';
import { makePhoto, multipart, uniquePhoto } from '../../../bench/fixtures.ts';

let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let storage: string;
let env: Record<string, string>;
let token: string;
let api: ServerProcess | null = null;
let photo: Buffer;

interface Upload {
  clientId: string;
  body: Buffer;
  boundary: string;
  hashes: string[];
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  storage = await mkdtemp(path.join(os.tmpdir(), 'ceasefire-kill-'));
  db = createDb(tdb.url, { max: 4 });
  const observer = await createUser(db, { username: 'kill.obs', password: 'kill-pass-2020', role: 'observer' });
  token = (await createToken(db, observer.id, 'test')).token;
  env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: tdb.url,
    STORAGE_DIR: storage,
    QUEUE_PREFIX: `kill-${randomBytes(4).toString('hex')}`,
    COOKIE_SECURE: 'false',
  };
  photo = await makePhoto(300 * 1024);
}, 120_000);
afterAll(async () => {
  await api?.kill('SIGKILL');
  // The killed API's relay queued jobs under this test's private prefix.
  const q = new Queue(QUEUES.reports, {
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: env.QUEUE_PREFIX,
  });
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
  await db?.$disconnect();
  await tdb?.drop();
  if (storage) await rm(storage, { recursive: true, force: true });
});

function makeUpload(i: number, photos: number): Upload {
  const r = makeReport({ narrative: `Upload ${i}: armed vehicles seen near the checkpoint.` });
  const files = Array.from({ length: photos }, (_, k) => ({
    field: 'attachments',
    name: `IMG_${i}_${k}.jpg`,
    type: 'image/jpeg',
    data: uniquePhoto(photo, `${r.clientId}/${k}`),
  }));
  const boundary = `----kill${randomBytes(6).toString('hex')}`;
  const fields = Object.entries(r).map(([k, v]) => [k, String(v)] as [string, string]);
  return {
    clientId: r.clientId as string,
    boundary,
    body: multipart(boundary, fields, files),
    hashes: files.map((f) => createHash('sha256').update(f.data).digest('hex')).sort(),
  };
}

/** Sends an upload; `stallAt` (0..1) sends only that share of the body and then waits for the server to die. */
function send(url: string, u: Upload, stallAt = 1): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/api/reports`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${u.boundary}`,
          'content-length': u.body.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    if (stallAt >= 1) req.end(u.body);
    else req.write(u.body.subarray(0, Math.floor(u.body.length * stallAt)));
  });
}

async function checkNothingHalfStored(uploads: Upload[]): Promise<number> {
  const files = createFileStore(storage);
  const reports = await db.report.findMany({
    select: { id: true, clientId: true, attachments: { select: { sha256: true, sizeBytes: true } } },
  });
  const byClient = new Map(uploads.map((u) => [u.clientId, u]));
  for (const r of reports) {
    const sent = byClient.get(r.clientId)!;
    expect(r.attachments.map((a) => a.sha256).sort(), `report ${r.id}`).toEqual(sent.hashes);
    for (const a of r.attachments) {
      const data = await readFile(files.pathOf(a.sha256));
      expect(createHash('sha256').update(data).digest('hex')).toBe(a.sha256);
      expect(data.length).toBe(a.sizeBytes);
    }
  }
  const outbox = await db.outboxEvent.findMany({ select: { payload: true } });
  const queued = new Set(outbox.map((o) => (o.payload as { reportId: string }).reportId));
  for (const r of reports) expect(queued.has(r.id), `outbox job for ${r.id}`).toBe(true);
  return reports.length;
}

/** The sweep, once its grace has passed, clears what the kill left and takes no evidence: the store then holds exactly the rows' files. */
async function checkStoreAfterSweep(): Promise<number> {
  const files = createFileStore(storage);
  const removed = await sweepPastGrace(db, files);
  expect((await listStore(storage)).staged).toEqual([]);
  expect(await storeProblems(db, files, { orphans: true })).toEqual([]);
  return removed;
}

describe('API process killed during multipart uploads', () => {
  it('leaves no half-stored report and no evidence without its file; the sweep clears the debris and no evidence; resends complete exactly once', async () => {
    api = await spawnServer({ role: 'api', env });
    const uploads = Array.from({ length: 24 }, (_, i) => makeUpload(i, 1 + (i % 3)));
    const finished = await Promise.all(uploads.slice(0, 6).map((u) => send(api!.url, u)));
    expect(finished.every((s) => s === 201)).toBe(true);

    // In flight at the kill: half-sent bodies, and complete ones the server is still storing.
    const stalled = uploads.slice(6, 14).map((u, k) => send(api!.url, u, 0.2 + k * 0.09));
    const racing = uploads.slice(14).map((u) => send(api!.url, u));
    // Every stalled body is past its fields and inside a photo: the server is writing that part to a staged file.
    await waitFor(
      'the stalled uploads to be staged mid-file',
      async () => (await listStore(storage)).staged.length >= stalled.length,
      60_000,
    );
    const dead = await api.kill('SIGKILL');
    expect(dead.signal).toBe('SIGKILL');
    const statuses = [...finished, ...(await Promise.all(stalled)), ...(await Promise.all(racing))];
    expect(statuses.slice(6, 14).every((s) => s === 0)).toBe(true);
    // The kill landed mid-upload: parts being received are left staged, with nobody to remove them but the sweep.
    const left = await listStore(storage);
    expect(left.staged.length).toBeGreaterThanOrEqual(1);

    const stored = await checkNothingHalfStored(uploads);
    expect(stored).toBeGreaterThanOrEqual(6);
    expect(stored).toBeLessThan(uploads.length);
    // Before the sweep a file may lack its row (written, its report never committed), never the other way round.
    expect(await storeProblems(db, createFileStore(storage), { orphans: false })).toEqual([]);
    expect(await checkStoreAfterSweep()).toBeGreaterThanOrEqual(left.staged.length);

    // The observer's app resends whatever got no answer; the clientId makes a stored one a 200, not a copy.
    api = await spawnServer({ role: 'api', env });
    const resent = await Promise.all(
      uploads.map((u, i) => (statuses[i] === 201 ? Promise.resolve(201) : send(api!.url, u))),
    );
    for (const s of resent) expect([200, 201]).toContain(s);
    expect(await checkNothingHalfStored(uploads)).toBe(uploads.length);
    expect(await db.report.count()).toBe(uploads.length);
    expect(new Set((await db.report.findMany({ select: { clientId: true } })).map((r) => r.clientId)).size).toBe(
      uploads.length,
    );
    // Answered requests leave nothing staged, and every file they stored belongs to a row: the sweep finds nothing.
    await waitFor(
      "the resends' staged parts to be removed",
      async () => (await listStore(storage)).staged.length === 0,
      30_000,
    );
    expect(await storeProblems(db, createFileStore(storage), { orphans: true })).toEqual([]);
    expect(await checkStoreAfterSweep()).toBe(0);
  });
});
