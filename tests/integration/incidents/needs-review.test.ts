// Confidence that means something: an incident whose automatic reading the model is unsure of (calibrated
// confidence under the model's review threshold) and that nobody has corrected is marked for a human in the queue,
// and the queue can be filtered to those.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { incidentRow } from '../../helpers/factories.ts';
import { reviewThresholdOf } from '../../../src/classify/model/index.ts';

let s: TestServer;
let api: ReturnType<typeof bearer>;
const ids: Record<string, string> = {};
// Seeded around the shipped model's own threshold, so the test holds whatever threshold training chose.
const threshold = reviewThresholdOf('libya-2020');

beforeAll(async () => {
  s = await startTestServer({ relay: false });
  api = bearer(s.url, (await s.makeUser('commission')).token);
  const seed = {
    unsure: { confidence: threshold! - 0.1 },
    sure: { confidence: Math.min(1, threshold! + 0.1) },
    unsureButCorrected: { confidence: threshold! - 0.1, correction: { stance: 'violation', note: 'checked' } },
    unread: { confidence: null },
  };
  for (const [name, fields] of Object.entries(seed)) {
    const row = incidentRow(fields);
    ids[name] = row.id!;
    await s.rt.db.incident.create({ data: row });
  }
});
afterAll(async () => {
  await s?.close();
});

const names = (items: Array<{ id: string }>) => items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id)).sort();

describe('incidents the model is unsure of', () => {
  it('ships a model with a review threshold', () => {
    expect(threshold).toBeGreaterThan(0);
    expect(threshold).toBeLessThan(1);
  });

  it('are marked in the queue, unless a reviewer corrected them', async () => {
    const r = await api.get('/api/incidents');
    expect(r.status).toBe(200);
    const marked = Object.fromEntries(r.body.items.map((i: any) => [i.id, i.needsReview]));
    expect(marked[ids.unsure!]).toBe(true);
    expect(marked[ids.sure!]).toBe(false);
    expect(marked[ids.unsureButCorrected!]).toBe(false);
    expect(marked[ids.unread!]).toBe(false);
  });

  it('can be listed alone, or left out, with the same rule as the mark', async () => {
    expect(names((await api.get('/api/incidents?needsReview=true')).body.items)).toEqual(['unsure']);
    expect(names((await api.get('/api/incidents?needsReview=false')).body.items)).toEqual([
      'sure',
      'unread',
      'unsureButCorrected',
    ]);
  });

  it('refuses a filter value that is not true or false, naming the field', async () => {
    const r = await api.get('/api/incidents?needsReview=maybe');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('needsReview');
  });
});
