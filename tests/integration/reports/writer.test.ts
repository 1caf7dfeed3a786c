// Group commit of intake (src/reports/writer.ts): many reports in one statement, each caller with its own
// outcome; a report the database refuses fails alone; the same clientId twice in a batch is one report.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { makeReport } from '../../helpers/factories.ts';
import { createReportWriter, type NewReport } from '../../../src/reports/writer.ts';
import { parseReportInput } from '../../../src/reports/validate.ts';
import { reportContentHash } from '../../../src/reports/content-hash.ts';

let s: TestServer;
let observerId: string;
beforeAll(async () => {
  s = await startTestServer({ relay: false });
  observerId = (await s.makeUser('observer')).user.id;
});
afterAll(async () => {
  await s.close();
});

function newReport(overrides: Record<string, unknown> = {}, who = observerId): NewReport {
  const input = parseReportInput(makeReport(overrides), 50_000);
  return { observerId: who, input, contentHash: reportContentHash(input), attachments: [], source: 'api' };
}

const outboxFor = async (ids: string[]) =>
  (await s.rt.db.outboxEvent.findMany()).filter((e) => ids.includes((e.payload as { reportId: string }).reportId));

describe('report writer (group commit)', () => {
  it('writes 200 concurrent reports in few statements, each caller getting its own row and one job', async () => {
    const sizes: number[] = [];
    const writer = createReportWriter(s.rt.db, { maxInFlight: 2, maxBatch: 64, onBatch: (n) => sizes.push(n) });
    const reports = Array.from({ length: 200 }, (_, i) =>
      newReport({ narrative: `Shelling reported near Sirte, report ${i}.` }),
    );
    const rows = await Promise.all(reports.map((r) => writer.insert(r)));
    rows.forEach((row, i) => {
      expect(row?.clientId).toBe(reports[i]!.input.clientId);
      expect(row?.narrative).toBe(reports[i]!.input.narrative);
      expect(row?.attachments).toEqual([]);
    });
    const ids = rows.map((r) => r!.id);
    expect(new Set(ids).size).toBe(200);
    const jobs = await outboxFor(ids);
    expect(jobs).toHaveLength(200);
    expect(await s.rt.db.report.count({ where: { id: { in: ids } } })).toBe(200);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(200);
    expect(Math.max(...sizes)).toBe(64);
    expect(sizes.length).toBeLessThanOrEqual(8);
  });

  it('fails only the report the database refuses, not the others of its batch', async () => {
    const writer = createReportWriter(s.rt.db, { maxInFlight: 1 });
    const good = [newReport(), newReport(), newReport()];
    const orphan = newReport({}, randomUUID()); // no such observer: the foreign key refuses it
    const results = await Promise.allSettled([good[0]!, orphan, good[1]!, good[2]!].map((r) => writer.insert(r)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await s.rt.db.report.count({ where: { clientId: { in: good.map((g) => g.input.clientId) } } })).toBe(3);
    expect(await s.rt.db.report.count({ where: { clientId: orphan.input.clientId } })).toBe(0);
  });

  it('writes the same clientId sent twice at once as one report; the second caller is told it exists', async () => {
    const writer = createReportWriter(s.rt.db);
    const r = newReport();
    const [a, b] = await Promise.all([writer.insert(r), writer.insert({ ...r })]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(await s.rt.db.report.count({ where: { clientId: r.input.clientId } })).toBe(1);
    expect(await outboxFor([(a ?? b)!.id])).toHaveLength(1);
  });

  it('recognises its row when the client wrote the clientId in capitals', async () => {
    const writer = createReportWriter(s.rt.db);
    const clientId = randomUUID().toUpperCase();
    const r = newReport({ clientId });
    const row = await writer.insert(r);
    expect(row?.clientId).toBe(clientId.toLowerCase());
  });
});
