// Another agreement, end to end: a process configured with AGREEMENT_ID=coastal-truce-2024 and
// AGREEMENTS_DIR=tests/fixtures/agreements takes reports in, classifies them against that agreement's terms (its own
// lexicon), lets the commission review their incident within those terms, and digests the week with its terms,
// parties and deadlines. Nothing of the Libyan agreement may show through.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { bearer } from '../../helpers/http.ts';
import { makeReport } from '../../helpers/factories.ts';
import { fileAndWaitProcessed } from '../../helpers/wait.ts';
import { ROOT } from '../../helpers/processes.ts';

const AGREEMENT = 'coastal-truce-2024';
const TERMS = ['checkpoints', 'heavy_weapons', 'none', 'prisoner_release'];

let s: TestServer;
let observer: ReturnType<typeof bearer>;
let commission: ReturnType<typeof bearer>;

beforeAll(async () => {
  s = await startTestServer({
    workers: true,
    env: { AGREEMENT_ID: AGREEMENT, AGREEMENTS_DIR: path.join(ROOT, 'tests/fixtures/agreements') },
  });
  observer = bearer(s.url, (await s.makeUser('observer')).token);
  commission = bearer(s.url, (await s.makeUser('commission')).token);
});
afterAll(async () => {
  await s?.close();
});

const fileAndWait = (body: Record<string, unknown>) => fileAndWaitProcessed(observer, body);

describe(`a second agreement (${AGREEMENT}) end to end`, () => {
  let incidentId: string;

  it('classifies reports against its terms', async () => {
    const tanks = await fileAndWait(
      makeReport({
        observedAt: '2024-02-06T05:40:00+02:00',
        partyAlleged: 'LAAF',
        narrative: 'Three tanks and a rocket launcher were moved into the buffer zone east of Sirte at dawn.',
      }),
    );
    expect(tanks.classification.terms.map((t: { id: string }) => t.id)).toEqual(['heavy_weapons']);
    expect(tanks.classification.stance).toBe('violation');
    expect(tanks.incidentId).toMatch(/^[0-9a-f-]{36}$/);
    incidentId = tanks.incidentId;
    const released = await fileAndWait(
      makeReport({
        observedAt: '2024-02-07T10:00:00+02:00',
        lat: 32.75,
        lon: 12.72,
        placeName: 'Zawiya',
        partyAlleged: 'GNA',
        narrative: 'Twelve prisoners were released at Zawiya this morning.',
      }),
    );
    expect(released.classification.terms.map((t: { id: string }) => t.id)).toEqual(['prisoner_release']);
    expect(released.classification.stance).toBe('compliance');
  });

  it('reviews its incident within its terms: the summary names its term, corrections take only its terms', async () => {
    const queue = await commission.get('/api/incidents?term=heavy_weapons');
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((i: { id: string }) => i.id)).toContain(incidentId);
    const incident = queue.body.items.find((i: { id: string }) => i.id === incidentId);
    expect(incident.summary).toContain('Heavy weapons out of the buffer zone');
    // A Libyan term is no term of this agreement.
    expect((await commission.patch(`/api/incidents/${incidentId}`, { terms: ['hostilities'] })).status).toBe(422);
    const corrected = await commission.patch(`/api/incidents/${incidentId}`, {
      terms: ['heavy_weapons', 'checkpoints'],
      note: 'a checkpoint came with them',
    });
    expect(corrected.status).toBe(200);
    expect(corrected.body.terms).toEqual(['checkpoints', 'heavy_weapons']);
    expect(corrected.body.summary).toContain('Checkpoints removed');
    const verified = await commission.patch(`/api/incidents/${incidentId}`, { state: 'verified' });
    expect(verified.status).toBe(200);
    expect(verified.body.state).toBe('verified');
  });

  it('digests the week with its terms, parties and deadlines', async () => {
    const created = await commission.post('/api/digests', { from: '2024-02-05', to: '2024-02-11' });
    expect(created.status).toBe(201);
    const digest = (await commission.get(`/api/digests/${created.body.id}`)).body;
    expect(digest.agreementId).toBe(AGREEMENT);
    expect(Object.keys(digest.terms).sort()).toEqual(TERMS);
    expect(digest.terms.heavy_weapons).toMatchObject({ incidents: 1, violations: 1, verified: 1 });
    expect(digest.terms.prisoner_release).toMatchObject({ incidents: 1, compliance: 1 });
    expect(Object.keys(digest.parties).sort()).toEqual(['GNA', 'LAAF', 'unknown']);
    expect(digest.parties.LAAF.violations).toBe(1);
    expect(digest.deadlines.map((d: { id: string }) => d.id)).toEqual(['buffer_zone_cleared']);
    const html = (await commission.get(`/api/digests/${created.body.id}?format=html`)).text;
    expect(html).toContain('Coastal Truce (test agreement)');
    expect(html).toContain('Heavy weapons out of the buffer zone');
    expect(html).toContain('Eastern Coastal Command');
    expect(html).not.toContain('Libyan Arab Armed Forces');
  });
});
