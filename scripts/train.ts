// npm run train [-- --agreement <id>] [--check] [--search]: trains the term, stance and dedup pair models from the committed
// corpus (data/corpus/manifest.json): a grouped cross-validation first (it calibrates the classifier and picks the
// dedup thresholds on text each model never saw), then the shipped models on every row. Writes
// src/classify/model/weights/<id>.model.gz and src/dedup/weights/<id>.pair.json; the same data gives the same
// bytes. --check only verifies that the committed files are what the data gives (exit 1 if not);
// --search prints the dedup threshold search (held-out precision, recall and F1 per kind of text) the choice came from.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAgreement } from '../src/agreements/index.ts';
import { loadCorpus } from '../src/classify/model/corpus.ts';
import { finalClassifier } from '../src/classify/model/train.ts';
import { encodeModel } from '../src/classify/model/model.ts';
import { modelFile } from '../src/classify/model/index.ts';
import { pairModelFile } from '../src/dedup/pair-model.ts';
import { crossValidateCorpus, scoreHeldOut } from '../src/eval/cv.ts';

const args = process.argv.slice(2);
const agreementId = args.includes('--agreement') ? args[args.indexOf('--agreement') + 1]! : 'libya-2020';
const agreement = loadAgreement(agreementId);
const started = Date.now();
const cv = await crossValidateCorpus(loadCorpus(), agreement);
const model = finalClassifier(cv.prepared, agreement, cv.calibration);
const files: Array<[string, Buffer]> = [
  [fileURLToPath(modelFile(agreementId)), encodeModel(model)],
  [fileURLToPath(pairModelFile(agreementId)), Buffer.from(`${JSON.stringify(cv.pair.model, null, 1)}\n`)],
];
process.stdout.write(
  `trained on ${model.trainedOn.rows} rows (data ${model.trainedOn.dataSha256.slice(0, 12)}) in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
    `term temperature ${model.terms.temperature}, stance temperature ${model.stance.temperature}, term threshold ${model.termThreshold}; ` +
    `dedup joins at ${cv.pair.model.threshold}, merges at ${cv.pair.model.mergeThreshold}, linkage ${cv.pair.model.linkage}, ${cv.pair.model.trees?.length ?? 0} trees\n`,
);
for (const kind of ['field', 'published', 'team'] as const) {
  const c = scoreHeldOut(cv, (r) => r.kind === kind);
  process.stdout.write(
    `  held out, ${kind}: term micro-F1 ${c.classification.microF1} (en ${c.classification.perLanguage.en.microF1}, ar ${c.classification.perLanguage.ar.microF1}), ` +
      `stance ${c.classification.stanceAccuracy}, dedup P ${c.dedup.precision} R ${c.dedup.recall} F1 ${c.dedup.f1}, cross-language recall ${c.dedup.crossLanguageRecall}\n`,
  );
}
if (args.includes('--search'))
  for (const t of cv.pair.search)
    process.stdout.write(
      `  dedup join ${t.threshold} merge ${t.mergeThreshold} linkage ${t.linkage ?? 1}: ` +
        Object.entries(t.byKind)
          .map(([k, c]) => `${k} P ${c.precision.toFixed(3)} R ${c.recall.toFixed(3)} F1 ${c.f1.toFixed(3)}`)
          .join(', ') +
        '\n',
    );
let stale = 0;
for (const [file, bytes] of files) {
  const same = existsSync(file) && Buffer.compare(readFileSync(file), bytes) === 0;
  if (!same) stale++;
  if (args.includes('--check'))
    process.stdout.write(`${file}: ${same ? 'matches the data' : 'does NOT match the data (run npm run train)'}\n`);
  else if (!same) {
    writeFileSync(file, bytes);
    process.stdout.write(`wrote ${file}\n`);
  } else process.stdout.write(`${file} unchanged\n`);
}
if (args.includes('--check') && stale) process.exit(1);
