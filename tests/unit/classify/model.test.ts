// The learned term and stance models: training is deterministic, the committed weights are what the committed
// corpus gives, a model survives its file format, and the decision rules on its probabilities hold.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { loadAgreement } from '../../../src/agreements/index.ts';
import { loadCorpus } from '../../../src/classify/model/corpus.ts';
import {
  crossValidate,
  dataDigest,
  finalClassifier,
  prepare,
  termLabels,
  DEFAULT_SETTINGS,
} from '../../../src/classify/model/train.ts';
import { decideTerms, decodeModel, encodeModel, modelPredict } from '../../../src/classify/model/model.ts';
import { modelFile } from '../../../src/classify/model/index.ts';
import { classifyWithRules } from '../../../src/classify/classifier.ts';
import { crossValidateInThreads } from '../../../src/classify/model/cv-pool.ts';
import { addLogits, frozen, fusedLogits, logits } from '../../../src/classify/model/linear.ts';
import { reportFeatures, termContextFeatures } from '../../../src/classify/model/features.ts';

const agreement = loadAgreement('libya-2020');
const corpus = loadCorpus();
const labels = termLabels(agreement);
// A small, fast slice: two writers and one published collection.
const slice = corpus.filter((r) => ['w01-sitrep', 'w05-dialect', 'p3-hard-cases'].includes(r.group));
const fast = { ...DEFAULT_SETTINGS, bits: 14, termEpochs: 3, stanceEpochs: 2 };
const cal = { termTemperature: 1, stanceTemperature: 1, termThreshold: 0.5 };

describe('training', () => {
  it('gives the same bytes from the same rows, and different bytes when one label changes', () => {
    const a = encodeModel(finalClassifier(prepare(slice, agreement, fast.bits), agreement, cal, fast));
    const b = encodeModel(finalClassifier(prepare(slice, agreement, fast.bits), agreement, cal, fast));
    expect(Buffer.compare(a, b)).toBe(0);
    const changed = slice.map((r, i) =>
      i === 0
        ? {
            ...r,
            labels: {
              ...r.labels,
              stance: r.labels.stance === 'violation' ? ('compliance' as const) : ('violation' as const),
            },
          }
        : r,
    );
    const c = encodeModel(finalClassifier(prepare(changed, agreement, fast.bits), agreement, cal, fast));
    expect(Buffer.compare(a, c)).not.toBe(0);
  });

  it('never scores a group with a model that saw it (grouped cross-validation)', () => {
    // A made-up word that only one group uses, always for hate speech: held out, that group cannot learn it.
    const marked = slice.map((r) =>
      r.group === 'w01-sitrep' && r.labels.terms.includes('hate_speech')
        ? { ...r, narrative: `zorblaxian ${r.narrative}` }
        : r,
    );
    const probe = {
      ...marked[0]!,
      id: 'probe',
      group: 'w01-sitrep',
      narrative: 'zorblaxian zorblaxian',
      labels: { terms: ['hate_speech'], stance: 'violation' as const },
    };
    const oof = crossValidate(prepare([...marked, probe], agreement, fast.bits), labels, fast);
    const p = oof.find((o) => o.id === 'probe')!;
    expect(p.group).toBe('w01-sitrep');
    expect(p.terms).not.toContain('hate_speech');
  });
});

describe('grouped cross-validation on threads', () => {
  it('gives the same held-out predictions, in the same order, on three threads as in one', async () => {
    const prepared = prepare(slice, agreement, fast.bits);
    const one = crossValidate(prepared, labels, fast);
    const three = await crossValidateInThreads(prepared, labels, fast, 3);
    expect(three.map((o) => o.group)).toEqual(one.map((o) => o.group));
    // Logits compared as numbers to the bit: calibration and the shipped model are fitted on them.
    expect(three).toEqual(one);
    expect(new Set(three.map((o) => o.group)).size).toBe(3);
  });

  it("rejects with the thread's error when a fold fails, instead of hanging or returning part of the folds", async () => {
    const prepared = prepare(slice, agreement, fast.bits);
    // A row without features: the folds that train on it throw inside their threads.
    const broken = prepared.map((p, i) => (i === 0 ? { ...p, text: null as unknown as typeof p.text } : p));
    await expect(crossValidateInThreads(broken, labels, fast, 2)).rejects.toThrow();
  });
});

describe('the committed model', () => {
  const file = modelFile(agreement.id);
  it.runIf(existsSync(file))(
    'was trained on exactly the committed corpus (npm run train after any change to data/corpus)',
    () => {
      const m = decodeModel(readFileSync(file));
      const usable = corpus.filter((r) => r.labels.terms.every((t) => labels.includes(t)));
      expect(m.trainedOn).toEqual({ rows: usable.length, dataSha256: dataDigest(usable) });
      expect(m.version).toMatch(/^libya-2020@[0-9a-f]{12}$/);
    },
  );

  it.runIf(existsSync(file))('round-trips through its file format and reads reports in both languages', () => {
    const m = decodeModel(readFileSync(file));
    const again = decodeModel(encodeModel(m));
    for (const narrative of [
      'Heavy shelling hit farms east of Sirte overnight, two civilians wounded.',
      'وصول رتل من المرتزقة السوريين إلى قاعدة الجفرة قادمين من بنغازي',
    ]) {
      const { result, evidence } = classifyWithRules({ narrative }, agreement);
      const input = { text: result.normalizedText, rules: evidence };
      expect(modelPredict(again, input)).toEqual(modelPredict(m, input));
    }
    const { result, evidence } = classifyWithRules(
      { narrative: 'Heavy shelling hit farms east of Sirte overnight, two civilians wounded.' },
      agreement,
    );
    expect(modelPredict(m, { text: result.normalizedText, rules: evidence }).terms).toEqual(['hostilities']);
  });
});

describe('prediction on a shipped model', () => {
  it('reads bucket-major weights (bytes as in the file, or floats) to the same logits, to the last bit, as the label-major ones it was trained in', () => {
    const m = finalClassifier(prepare(slice, agreement, fast.bits), agreement, cal, fast);
    expect(m.terms.byBucket).toBeUndefined();
    const shipped = decodeModel(encodeModel(m));
    expect(shipped.terms.quantized?.byBucket).toBeInstanceOf(Int8Array);
    const plain = { ...shipped.terms, quantized: undefined };
    const plainStance = { ...shipped.stance, quantized: undefined };
    const floats = frozen(plain);
    const floatStance = frozen(plainStance);
    expect(floats.byBucket).toBeInstanceOf(Float32Array);
    for (const row of slice.slice(0, 40)) {
      const { result, evidence } = classifyWithRules({ narrative: row.narrative }, agreement);
      const x = reportFeatures({ text: result.normalizedText, rules: evidence }, fast.bits);
      const want = Array.from(logits(plain, [x.base]));
      expect(want.some((z) => z !== 0)).toBe(true);
      expect(Array.from(logits(shipped.terms, [x.base]))).toEqual(want);
      expect(Array.from(logits(floats, [x.base]))).toEqual(want);
      const ctx = termContextFeatures(x.words, evidence, ['hostilities', 'road_opening'], fast.bits);
      const wantStance = Array.from(logits(plainStance, [x.base, ctx]));
      expect(Array.from(logits(shipped.stance, [x.base, ctx]))).toEqual(wantStance);
      expect(Array.from(logits(floatStance, [x.base, ctx]))).toEqual(wantStance);
      // Both heads read side by side, the stance finished with the term-context features: the same numbers.
      const both = fusedLogits(shipped.fused!, shipped.terms, shipped.stance, x.base);
      expect(Array.from(both.terms)).toEqual(want);
      expect(Array.from(addLogits(shipped.stance, both.stance, [ctx]))).toEqual(wantStance);
      const input = { text: result.normalizedText, rules: evidence };
      expect(modelPredict(shipped, input)).toEqual(modelPredict({ ...shipped, fused: null }, input));
    }
  });
});

describe('decisions on probabilities', () => {
  it('keeps the terms over the threshold, at least the likeliest, and never none beside a term', () => {
    expect(decideTerms({ hostilities: 0.9, mines_uxo: 0.7, none: 0.1 }, 0.6)).toEqual(['hostilities', 'mines_uxo']);
    expect(decideTerms({ hostilities: 0.3, mines_uxo: 0.2, none: 0.25 }, 0.6)).toEqual(['hostilities']);
    expect(decideTerms({ hostilities: 0.65, none: 0.8 }, 0.6)).toEqual(['none']);
    expect(decideTerms({ hostilities: 0.8, none: 0.7 }, 0.6)).toEqual(['hostilities']);
  });
});
