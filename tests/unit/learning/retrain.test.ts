// A candidate is trained in this release's buckets whatever buckets the model in use has: a model promoted under an
// earlier release (another DEFAULT_BITS) must not make the candidate learn from features hashed one way and be read
// with features hashed another.
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../../src/agreements/index.ts';
import { finalClassifier, prepare, DEFAULT_SETTINGS } from '../../../src/classify/model/train.ts';
import { loadCorpus } from '../../../src/classify/model/corpus.ts';
import { decodeModel, encodeModel } from '../../../src/classify/model/model.ts';
import { DEFAULT_BITS } from '../../../src/classify/model/features.ts';
import { scoreModel, trainWith } from '../../../src/learning/retrain.ts';

const agreement = loadAgreement('libya-2020');
// The small corpus the retraining tests train on (TRAINING_MANIFEST of the integration test).
const rows = loadCorpus(process.cwd(), 'tests/fixtures/learning/manifest.json');
const cal = { termTemperature: 1, stanceTemperature: 1, termThreshold: 0.5 };

describe('retraining on top of a model with other buckets', () => {
  it('trains and reads the candidate in the same buckets', () => {
    const bits = 12;
    expect(bits).not.toBe(DEFAULT_BITS);
    const earlier = decodeModel(
      encodeModel(finalClassifier(prepare(rows, agreement, bits), agreement, cal, { ...DEFAULT_SETTINGS, bits })),
    );
    expect(earlier.bits).toBe(bits);
    const candidate = trainWith(rows, [], agreement, earlier);
    expect(candidate.bits).toBe(DEFAULT_BITS);
    // In-sample: a model read with the features it was trained on reproduces its training labels.
    const score = scoreModel(candidate, rows, agreement);
    expect(score.termMicroF1).toBeGreaterThan(0.95);
    expect(score.stanceAccuracy).toBeGreaterThan(0.9);
  });
});
