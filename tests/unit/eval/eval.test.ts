import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseLabeledJsonl, runEval } from '../../../src/eval/index.ts';
import { expectFloors } from './floors.ts';

const DEV = '/work/shared/data/dev-reports.jsonl';

// The dev file and the holdout fixture are in the training corpus: these floors guard against regressions on text
// the models learned (classification 1.0, in-sample), not generalisation, which `npm run eval -- --cv` measures.
describe('eval on the labeled dev file (in the training corpus)', () => {
  it('keeps what the model learned: micro-F1 and stance ≥ 0.99 per language; dedup F1 ≥ 0.8', async () => {
    await expectFloors(DEV, {
      microF1: 0.99,
      stance: 0.99,
      langMicroF1: 0.99,
      langStance: 0.99,
      // Measured 0.849 (precision 0.737, recall 1.0) with joins at 0.5, merges at 0.55 and an incident scored by the
      // mean of its members, what the held-out search chose on session 18's corpus (0.862 at session 17's 0.6 / 0.8
      // on the closest member alone, 0.836 at session 16's 0.6 / 0.7, 0.896 at session 15's 0.65 / 0.7):
      // follow-on events at one place, the same day or the next (a convoy, then the afternoon's ambulance; a closure,
      // then its reopening) are joined. The thresholds follow the held-out mean F1 over field, published and team
      // text, so this in-sample figure moves with them; the floor catches a broken pair model, not a new operating
      // point. Held-out field writers keep precision 0.97; the team files read 0.88 at every join from 0.5 to 0.7, so
      // what would bring their follow-on events apart is the pair model's features, not the threshold rule.
      dedupF1: 0.8,
      crossLanguageRecall: 0.99,
    });
  });
  it('does the same on reports written for this test suite', async () => {
    const r = await runEval(
      parseLabeledJsonl(readFileSync(new URL('./fixtures/holdout.jsonl', import.meta.url), 'utf8')),
    );
    expect(r.classification.microF1).toBeGreaterThanOrEqual(0.9);
    expect(r.dedup.f1).toBeGreaterThanOrEqual(0.9);
  });
  it('never reads labels as input: shuffled labels leave predictions unchanged', async () => {
    const reports = parseLabeledJsonl(readFileSync(DEV, 'utf8')).slice(0, 40);
    const traces: string[] = [];
    const scramble = reports.map((r, i) => ({ ...r, labels: reports[(i + 7) % reports.length].labels }));
    const run = async (rs: typeof reports) => {
      const out: string[] = [];
      await runEval(rs, {
        trace: (t) =>
          out.push(`${t.id}:${t.classification.terms.map((x) => x.id)}:${t.classification.stance}:${t.incidentId}`),
      });
      return out;
    };
    traces.push(...(await run(reports)));
    expect(await run(scramble)).toEqual(traces);
  });
  it('npm run eval -- --json prints the issue shape', () => {
    const out = execFileSync('npx', ['tsx', 'scripts/eval.ts', DEV, '--json'], { encoding: 'utf8' });
    const j = JSON.parse(out.trim().split('\n').pop()!);
    expect(Object.keys(j)).toEqual(['classification', 'dedup']);
    expect(j.classification).toEqual(
      expect.objectContaining({
        microF1: expect.any(Number),
        macroF1: expect.any(Number),
        stanceAccuracy: expect.any(Number),
      }),
    );
    expect(Object.keys(j.classification.perLanguage)).toEqual(['en', 'ar']);
    expect(j.classification.perTerm.hostilities).toEqual(
      expect.objectContaining({ precision: expect.any(Number), recall: expect.any(Number), f1: expect.any(Number) }),
    );
    expect(Object.keys(j.dedup)).toEqual(['precision', 'recall', 'f1', 'crossLanguageRecall']);
  }, 60_000);
  it('scores against the agreement the workers run (AGREEMENT_ID, AGREEMENTS_DIR), not always the Libyan one', () => {
    const row = (id: string, narrative: string, term: string, stance: string) =>
      JSON.stringify({
        id,
        lang: 'en',
        observedAt: '2024-02-06T05:40:00+02:00',
        lat: null,
        lon: null,
        accuracyM: null,
        placeName: null,
        narrative,
        partyAlleged: null,
        labels: { terms: [term], stance, incident: id },
      });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'eval-agreement-')), 'coastal.jsonl');
    writeFileSync(
      file,
      [
        row(
          'c1',
          'Three tanks and a rocket launcher were moved into the buffer zone east of Sirte at dawn.',
          'heavy_weapons',
          'violation',
        ),
        row('c2', 'Twelve prisoners were released at Zawiya this morning.', 'prisoner_release', 'compliance'),
      ].join('\n'),
    );
    const out = execFileSync('npx', ['tsx', 'scripts/eval.ts', file, '--json'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        AGREEMENT_ID: 'coastal-truce-2024',
        AGREEMENTS_DIR: path.resolve('tests/fixtures/agreements'),
      },
    });
    const j = JSON.parse(out.trim().split('\n').pop()!);
    expect(j.classification.perTerm.heavy_weapons.f1).toBe(1);
    expect(j.classification.perTerm.prisoner_release.f1).toBe(1);
    expect(j.classification.stanceAccuracy).toBe(1);
    // The committed corpus stays on the agreement it is labeled for, whatever the environment names: the second
    // annotator's comparison still runs (it failed with "no agreement" when only AGREEMENT_ID was set).
    const second = execFileSync(
      'npx',
      ['tsx', 'scripts/eval.ts', '--second', 'data/corpus/second-annotator/published-sample.jsonl', '--json'],
      { encoding: 'utf8', env: { ...process.env, AGREEMENT_ID: 'coastal-truce-2024' } },
    );
    expect(JSON.parse(second.trim().split('\n').pop()!).count).toBeGreaterThan(100);
  }, 60_000);
  it('rejects malformed files with the line number', () => {
    expect(() => parseLabeledJsonl('{"id":"x"}\n')).toThrow(/line 1/);
  });
});
