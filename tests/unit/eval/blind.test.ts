// Sets once blind, written by independent analysts. They are now part of the training corpus
// (data/corpus/manifest.json), so these floors are in-sample regression guards: classification on them is what the
// model learned (1.0), dedup what the pair model and its thresholds give on them. The honest estimate for unseen
// text is the grouped cross-validation (`npm run eval -- --cv`, README), where each of these files is held out.
import { describe, it } from 'vitest';
import { expectFloors } from './floors.ts';

describe('eval on the blind labeled files', () => {
  it('blind-1 keeps term micro-F1, stance accuracy and dedup F1 above their floors', async () => {
    await expectFloors(new URL('../../fixtures/blind-reports.jsonl', import.meta.url), {
      microF1: 0.97,
      stance: 0.96,
      langMicroF1: 0.95,
      langStance: 0.95,
      dedupF1: 0.95,
      dedupPrecision: 0.95,
      crossLanguageRecall: 0.93,
    });
  });
  it('blind-2 keeps term micro-F1, stance accuracy and dedup F1 above their floors', async () => {
    await expectFloors(new URL('../../fixtures/blind2-reports.jsonl', import.meta.url), {
      microF1: 0.95,
      stance: 0.89,
      langMicroF1: 0.95,
      langStance: 0.85,
      dedupF1: 0.95,
      // Two follow-on events at one place (a closure, then its reopening) are joined: 0.92 measured.
      dedupPrecision: 0.9,
    });
  });
  // blind3 was first scored at 0.897 / 0.860 / dedup 0.904; floors sit just under the figures reached once
  // its error categories were generalised (rules written from new sentences, not its phrases).
  it('blind-3 keeps term micro-F1, stance accuracy and dedup F1 above their floors', async () => {
    await expectFloors(new URL('../../fixtures/blind3-reports.jsonl', import.meta.url), {
      microF1: 0.98,
      stance: 0.97,
      langMicroF1: 0.97,
      langStance: 0.96,
      dedupF1: 0.97,
      dedupPrecision: 0.95,
      crossLanguageRecall: 0.95,
    });
  });
});
