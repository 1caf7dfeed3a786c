// Learning from the commission, through the real API and workers: reports are filed, processed and then corrected
// by a commission member; a retrain job trains a candidate on the corpus plus the older corrections, judges it and
// the model in use on the newest corrections, and promotes it only when it is not worse. Each classification says
// which model made it. (The corpus here is a small test manifest: retraining on the whole corpus takes minutes.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { startTestServer, type TestServer, type TestUser } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';
import { JOBS, QUEUES } from '../../../src/queue/names.ts';
import { loadClassifierModel, modelFile, setClassifierModel } from '../../../src/classify/model/index.ts';
import { notWorse, refreshActiveModel } from '../../../src/learning/retrain.ts';

const hasModel = existsSync(modelFile('libya-2020'));

describe('the promotion gate', () => {
  it('promotes only a candidate at least as good on both measures', () => {
    const cur = { termMicroF1: 0.8, stanceAccuracy: 0.7, count: 10 };
    expect(notWorse({ termMicroF1: 0.8, stanceAccuracy: 0.7, count: 10 }, cur)).toBe(true);
    expect(notWorse({ termMicroF1: 0.9, stanceAccuracy: 0.75, count: 10 }, cur)).toBe(true);
    expect(notWorse({ termMicroF1: 0.95, stanceAccuracy: 0.69, count: 10 }, cur)).toBe(false);
    expect(notWorse({ termMicroF1: 0.79, stanceAccuracy: 0.9, count: 10 }, cur)).toBe(false);
  });
});

describe.runIf(hasModel)('corrections become training data', () => {
  let s: TestServer;
  let observer: TestUser;
  let member: TestUser;
  const shipped = hasModel ? loadClassifierModel('libya-2020') : null;

  beforeAll(async () => {
    s = await startTestServer({ workers: true, env: { TRAINING_MANIFEST: 'tests/fixtures/learning/manifest.json' } });
    observer = await s.makeUser('observer');
    member = await s.makeUser('commission');
  }, 120_000);
  afterAll(async () => {
    setClassifierModel('libya-2020', shipped); // the workers of this process may have swapped it
    await s?.close();
  });

  async function fileAndProcess(narratives: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, narrative] of narratives.entries()) {
      const r = await bearer(s.url, observer.token).post(
        '/api/reports',
        makeReport({
          narrative,
          observedAt: `2021-0${1 + (i % 6)}-1${i % 9}T0${i % 9}:00:00+02:00`,
          lat: 27 + (i % 5),
          lon: 12 + (i % 7),
        }),
      );
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await expect
      .poll(async () => s.rt.db.report.count({ where: { id: { in: ids }, status: 'processed' } }), {
        timeout: 60_000,
        interval: 200,
      })
      .toBe(ids.length);
    return ids;
  }

  async function correct(ids: string[], terms: string[], stance: string): Promise<void> {
    const api = bearer(s.url, member.token);
    for (const id of ids)
      expect(
        (await api.patch(`/api/reports/${id}/classification`, { terms, stance, note: 'checked on site' })).status,
      ).toBe(200);
  }

  async function retrain() {
    const job = await s.rt.queues.get(QUEUES.models)!.add(JOBS.retrainModel, { agreementId: 'libya-2020' });
    await expect
      .poll(async () => await job.getState(), { timeout: 240_000, interval: 500 })
      .toMatch(/completed|failed/);
    const done = await s.rt.queues.get(QUEUES.models)!.getJob(job.id!);
    expect(done?.failedReason ?? null).toBeNull();
    return done!.returnvalue as {
      status: string;
      version: string;
      current: { termMicroF1: number };
      candidate: { termMicroF1: number };
    };
  }

  it('records the model version with each classification', async () => {
    const [id] = await fileAndProcess(['Two mortar rounds hit a farm near the Abu Grein checkpoint at dawn.']);
    const row = await s.rt.db.report.findUniqueOrThrow({ where: { id } });
    expect((row.classification as { model: { version: string } }).model.version).toBe(shipped!.version);
  });

  it('promotes a candidate trained on sound corrections, audited, and the workers then classify with it', async () => {
    // Reports in a dialect phrase the shipped model reads as unrelated: the commission corrects them to hostilities.
    const phrase = (i: number) => `الدبابة ضربت حوش عيلة في الطويشة الليلة رقم ${i}، الناس طاحت والحيطان تكسرت`;
    const ids = await fileAndProcess(Array.from({ length: 28 }, (_, i) => phrase(i)));
    await correct(ids, ['hostilities'], 'violation');
    const result = await retrain();
    expect(result.status).toBe('promoted');
    const version = await s.rt.db.modelVersion.findFirstOrThrow({
      where: { promoted: true },
      orderBy: { promotedAt: 'desc' },
    });
    expect(version.corrections).toBeGreaterThanOrEqual(21);
    expect(version.heldOut).toBeGreaterThanOrEqual(7);
    expect(await s.rt.db.auditEvent.count({ where: { action: 'model_promoted', entityId: version.id } })).toBe(1);
    // It names the shipped model it was built on: a later release's model supersedes it.
    expect((version.metrics as { shipped: string }).shipped).toBe(shipped!.version);
    // A new report is classified by the promoted model, and says so.
    const [fresh] = await fileAndProcess([phrase(99)]);
    const row = await s.rt.db.report.findUniqueOrThrow({ where: { id: fresh } });
    expect((row.classification as { model: { version: string } }).model.version).toBe(version.version);
    expect(row.terms).toEqual(['hostilities']);
  }, 300_000);

  it('refuses a candidate that is worse on the newest corrections, keeping the model in use', async () => {
    const before = await s.rt.db.modelVersion.findFirstOrThrow({
      where: { promoted: true },
      orderBy: { promotedAt: 'desc' },
    });
    // Older corrections that teach a wrong label; the newest ones (held out) are right.
    const shelling = (i: number) => `Artillery shelled positions east of Sirte tonight, salvo ${i}, houses damaged.`;
    const wrong = await fileAndProcess(Array.from({ length: 40 }, (_, i) => shelling(i)));
    await correct(wrong, ['hate_speech'], 'information');
    const right = await fileAndProcess(Array.from({ length: 14 }, (_, i) => shelling(100 + i)));
    await correct(right, ['hostilities'], 'violation');
    const result = await retrain();
    expect(result.status).toBe('refused');
    expect(result.candidate.termMicroF1).toBeLessThan(result.current.termMicroF1);
    const after = await s.rt.db.modelVersion.findFirstOrThrow({
      where: { promoted: true },
      orderBy: { promotedAt: 'desc' },
    });
    expect(after.id).toBe(before.id);
    expect(await s.rt.db.auditEvent.count({ where: { action: 'model_refused' } })).toBe(1);
  }, 300_000);

  it("leaves a model promoted on top of an earlier release's model out of use", async () => {
    const inUse = await refreshActiveModel(s.rt.db, 'libya-2020');
    // Promoted later than any other, but on top of another shipped model (an earlier release, other buckets).
    await s.rt.db.modelVersion.create({
      data: {
        agreementId: 'libya-2020',
        version: 'libya-2020@earlier-release',
        weights: new Uint8Array(readFileSync(modelFile('libya-2020'))),
        corrections: 30,
        heldOut: 10,
        metrics: { replaces: 'libya-2020@older', shipped: 'libya-2020@older' },
        promoted: true,
        promotedAt: new Date(Date.now() + 60_000),
      },
    });
    expect(inUse).not.toBeNull();
    expect(await refreshActiveModel(s.rt.db, 'libya-2020')).toBe(inUse);
    expect(loadClassifierModel('libya-2020')!.version).toBe(inUse);
  });
});
