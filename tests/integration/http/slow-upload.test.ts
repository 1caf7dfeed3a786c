// A slow but steady upload finishes however long it takes; a stalled one is cut. Field links upload photos at a
// few KB/s: a limit on the whole request (5 minutes) once refused a 3.7 MB report at 10 KB/s after 319 s. The
// server's idle limit is set to one second here, and the body trickles in over several seconds.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart } from '../../../bench/fixtures.ts';
import { incidentRow, makeJpeg, makeReport } from '../../helpers/factories.ts';
import { bearer } from '../../helpers/http.ts';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';

let s: TestServer;
let observer: TestUser;
let member: TestUser;
const IDLE_MS = 1000;

beforeAll(async () => {
  s = await startTestServer({ relay: false, env: { UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS) } });
  observer = await s.makeUser('observer');
  member = await s.makeUser('commission');
});
afterAll(async () => {
  await s?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `body` in `pieces`, waiting `gapMs` between them (and `stallMs` once, half-way); the status, or the error. */
function trickle(body: Buffer, boundary: string, pieces: number, gapMs: number, stallMs = 0) {
  const url = new URL('/api/reports', s.url);
  return new Promise<{ status?: number; error?: string }>((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${observer.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': body.length,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    void (async () => {
      const size = Math.ceil(body.length / pieces);
      for (let i = 0; i < pieces; i += 1) {
        if (req.destroyed) return;
        req.write(body.subarray(i * size, (i + 1) * size));
        await sleep(i === Math.floor(pieces / 2) && stallMs ? stallMs : gapMs);
      }
      req.end();
    })();
  });
}

async function reportBody() {
  const boundary = `----slow${randomUUID()}`;
  const report = makeReport();
  const fields = Object.entries(report).map(([k, v]): [string, string] => [k, String(v)]);
  const body = multipart(boundary, fields, [
    { field: 'attachments', name: 'slow.jpg', type: 'image/jpeg', data: await makeJpeg(77) },
  ]);
  return { boundary, body, clientId: report.clientId as string };
}

describe('uploads on slow links', () => {
  it('a body arriving steadily for several times the idle limit is stored', async () => {
    const { boundary, body, clientId } = await reportBody();
    // 12 pieces, 0.4 s apart: about 5 s in all, never a full second of silence.
    expect(await trickle(body, boundary, 12, IDLE_MS * 0.4)).toEqual({ status: 201 });
    const row = await s.rt.db.report.findFirst({ where: { clientId }, include: { attachments: true } });
    expect(row?.attachments.map((a) => a.originalName)).toEqual(['slow.jpg']);
  });

  it('a body that stops arriving is cut, and nothing is stored', async () => {
    const { boundary, body, clientId } = await reportBody();
    const outcome = await trickle(body, boundary, 6, 100, IDLE_MS * 3);
    expect(outcome.status).toBeUndefined();
    expect(outcome.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    expect(await s.rt.db.report.count({ where: { clientId } })).toBe(0);
  });

  it('a request the server takes longer than the idle limit to answer is answered, not cut', async () => {
    // The silence is the server's: a review action waits on a lock another transaction holds (a merge, say) for
    // three times the idle limit. Before the idle cut paused while the server works, the client saw the
    // connection close with no answer ("other side closed").
    const incident = incidentRow();
    await s.rt.db.incident.create({ data: incident });
    let locked!: () => void;
    const lockHeld = new Promise<void>((r) => (locked = r));
    const holder = s.rt.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Incident" WHERE id = ${incident.id}::uuid FOR UPDATE`;
        locked();
        await sleep(IDLE_MS * 3);
      },
      { timeout: 30_000 },
    );
    await lockHeld;
    const started = Date.now();
    const res = await bearer(s.url, member.token).patch(`/api/incidents/${incident.id}`, { state: 'under_review' });
    await holder;
    expect(Date.now() - started).toBeGreaterThan(IDLE_MS * 2);
    expect(res.status).toBe(200);
    expect((await s.rt.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).state).toBe('under_review');
  });
});
