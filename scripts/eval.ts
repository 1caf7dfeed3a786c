// npm run eval -- <file.jsonl> [--json] [--trace] [--order observed|file|<seed>]: classification and dedup quality on a
// labeled file, the reports arriving in observedAt order (default), in file order, or shuffled with a seed.
// npm run eval -- --cv [--json]: the grouped cross-validation over the committed corpus (each writer or source held
// out in turn, never trained on the text it is scored on), per group, per kind and per language.
// npm run eval -- --second <labels.jsonl> [--json]: how a second, independent annotator's labels for corpus rows agree
// with the corpus's own (data/corpus/second-annotator/): what two careful readers make of the same text.
// A file (and --learn) is scored against the agreement the workers run: AGREEMENT_ID (default libya-2020), found in
// AGREEMENTS_DIR first; --cv and --second read the committed corpus, labeled for libya-2020.
import { readFileSync } from 'node:fs';
import { parseLabeledJsonl, runEval, formatEval, type EvalResult } from '../src/eval/index.ts';
import { crossValidateCorpus, reliability, scoreHeldOut, type CvScore } from '../src/eval/cv.ts';
import { loadCorpus } from '../src/classify/model/corpus.ts';
import { loadAgreement, useAgreements, DEFAULT_AGREEMENT_ID, type Agreement } from '../src/agreements/index.ts';
import { loadClassifierModel } from '../src/classify/model/index.ts';
import { loadConfig } from '../src/config.ts';
import { scoreModel, trainWith } from '../src/learning/retrain.ts';
import { annotatorAgreement, parseSecondLabels } from '../src/eval/agreement.ts';

/**
 * "N corrections later": the file's reports in observed order stand for what the commission corrects; for each N the
 * model is retrained with the first N as corrections and every model is scored on the same rest of the file.
 */
async function learningCurve(agreement: Agreement, file: string, steps: number[], json: boolean): Promise<void> {
  const shipped = loadClassifierModel(agreement.id);
  if (!shipped) throw new Error(`agreement ${agreement.id} has no trained model`);
  const rows = parseLabeledJsonl(readFileSync(file, 'utf8'))
    .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt) || a.id.localeCompare(b.id))
    .map((r) => ({
      id: `learn/${r.id}`,
      group: 'corrections',
      lang: r.lang,
      narrative: r.narrative,
      placeName: r.placeName ?? null,
      partyAlleged: r.partyAlleged ?? null,
      labels: { terms: r.labels.terms, stance: r.labels.stance },
    }));
  const max = Math.max(...steps);
  if (max >= rows.length) throw new Error(`--learn ${max} leaves nothing of the ${rows.length} rows to score on`);
  const rest = rows.slice(max);
  const corpus = loadCorpus();
  const out = [];
  for (const n of steps) {
    const model = n === 0 ? shipped : trainWith(corpus, rows.slice(0, n), agreement, shipped);
    out.push({ corrections: n, ...scoreModel(model, rest, agreement) });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  process.stdout.write(`Learning from corrections: scored on the last ${rest.length} reports of ${file}\n`);
  for (const o of out)
    process.stdout.write(
      `  after ${String(o.corrections).padStart(4)} corrections  term micro-F1 ${f3(o.termMicroF1)}  stance ${f3(o.stanceAccuracy)}\n`,
    );
}

const f3 = (x: number) => x.toFixed(3);
const line = (name: string, s: CvScore) =>
  `${name.padEnd(22)} ${String(s.classification.count).padStart(5)}  term ${f3(s.classification.microF1)} (en ${f3(s.classification.perLanguage.en.microF1)} ar ${f3(s.classification.perLanguage.ar.microF1)})` +
  `  stance ${f3(s.classification.stanceAccuracy)} (en ${f3(s.classification.perLanguage.en.stanceAccuracy)} ar ${f3(s.classification.perLanguage.ar.stanceAccuracy)})` +
  `  dedup P ${f3(s.dedup.precision)} R ${f3(s.dedup.recall)} F1 ${f3(s.dedup.f1)} x-lang R ${s.dedup.crossLanguagePairs ? f3(s.dedup.crossLanguageRecall) : '-'}`;

async function crossValidation(agreement: Agreement, json: boolean): Promise<void> {
  const cv = await crossValidateCorpus(loadCorpus(), agreement);
  const groups = [...new Set(cv.heldOut.map((h) => h.row.group))];
  const pooled = {
    field: scoreHeldOut(cv, (r) => r.kind === 'field'),
    published: scoreHeldOut(cv, (r) => r.kind === 'published'),
    team: scoreHeldOut(cv, (r) => r.kind === 'team'),
  };
  const rel = reliability(cv.heldOut);
  if (json) {
    const short = (s: CvScore) => ({
      count: s.classification.count,
      microF1: s.classification.microF1,
      stanceAccuracy: s.classification.stanceAccuracy,
      perLanguage: {
        en: {
          microF1: s.classification.perLanguage.en.microF1,
          stanceAccuracy: s.classification.perLanguage.en.stanceAccuracy,
        },
        ar: {
          microF1: s.classification.perLanguage.ar.microF1,
          stanceAccuracy: s.classification.perLanguage.ar.stanceAccuracy,
        },
      },
      dedup: {
        precision: s.dedup.precision,
        recall: s.dedup.recall,
        f1: s.dedup.f1,
        crossLanguageRecall: s.dedup.crossLanguageRecall,
      },
    });
    process.stdout.write(
      `${JSON.stringify({ pooled: { field: short(pooled.field), published: short(pooled.published), team: short(pooled.team) }, groups: Object.fromEntries(groups.map((g) => [g, short(scoreHeldOut(cv, (r) => r.group === g))])), calibration: { ...cv.calibration, dedupThreshold: cv.pair.model.threshold, dedupMergeThreshold: cv.pair.model.mergeThreshold, dedupLinkage: cv.pair.model.linkage ?? 1, dedupTrees: cv.pair.model.trees?.length ?? 0 }, reliability: rel })}\n`,
    );
    return;
  }
  const out = ['Grouped cross-validation: every group predicted by models fitted without it', ''];
  for (const g of groups)
    out.push(
      line(
        g,
        scoreHeldOut(cv, (r) => r.group === g),
      ),
    );
  out.push(
    '',
    line('field reports (pooled)', pooled.field),
    line('published (pooled)', pooled.published),
    line('team files (pooled)', pooled.team),
    '',
  );
  out.push(
    `Calibration: term temperature ${cv.calibration.termTemperature}, stance temperature ${cv.calibration.stanceTemperature}, term threshold ${cv.calibration.termThreshold}; dedup joins at ${cv.pair.model.threshold}, merges at ${cv.pair.model.mergeThreshold}, linkage ${cv.pair.model.linkage ?? 1}, ${cv.pair.model.trees?.length ?? 0} trees`,
  );
  out.push('Reliability (held out: a decision is right when every term and the stance are):');
  for (const b of rel.bins)
    out.push(
      `  confidence ${b.from.toFixed(1)}-${b.to.toFixed(1)}  n=${String(b.n).padStart(5)}  mean confidence ${f3(b.meanConfidence)}  accuracy ${f3(b.accuracy)}`,
    );
  out.push('Accuracy at coverage (the most confident share decided automatically, the rest to a reviewer):');
  for (const c of rel.coverage)
    out.push(
      `  ${String(Math.round(c.coverage * 100)).padStart(3)}%  confidence >= ${f3(c.threshold)}  accuracy ${f3(c.accuracy)}`,
    );
  process.stdout.write(`${out.join('\n')}\n`);
}

function toJson(r: EvalResult) {
  const c = r.classification;
  const lang = (s: typeof c.perLanguage.en) => ({
    microF1: s.microF1,
    macroF1: s.macroF1,
    stanceAccuracy: s.stanceAccuracy,
    count: s.count,
    perTerm: s.perTerm,
  });
  return {
    classification: {
      microF1: c.microF1,
      macroF1: c.macroF1,
      perLanguage: { en: lang(c.perLanguage.en), ar: lang(c.perLanguage.ar) },
      perTerm: c.perTerm,
      stanceAccuracy: c.stanceAccuracy,
    },
    dedup: {
      precision: r.dedup.precision,
      recall: r.dedup.recall,
      f1: r.dedup.f1,
      crossLanguageRecall: r.dedup.crossLanguageRecall,
    },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // The committed corpus is labeled with the Libyan agreement's terms: its cross-validation stays on that agreement
  // whatever the environment names (another agreement would silently drop every row whose terms it lacks).
  if (args.includes('--cv')) {
    await crossValidation(loadAgreement(DEFAULT_AGREEMENT_ID), args.includes('--json'));
    return;
  }
  if (args.includes('--second')) {
    const file = args[args.indexOf('--second') + 1];
    if (!file || file.startsWith('--')) {
      process.stderr.write('usage: npm run eval -- --second <labels.jsonl> [--json]\n');
      process.exit(2);
    }
    const a = annotatorAgreement(loadCorpus(), parseSecondLabels(readFileSync(file, 'utf8')));
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(a)}\n`);
    else
      process.stdout.write(
        `Second annotator against the corpus labels (${a.count} rows)\n` +
          ['overall', 'en', 'ar']
            .map((k) => {
              const s = k === 'overall' ? a : a.perLanguage[k as 'en' | 'ar'];
              // No rows in a language: nothing to agree on, not a perfect figure.
              return s.count
                ? `  ${k.padEnd(8)} n=${String(s.count).padStart(4)}  term micro-F1 ${f3(s.microF1)}  stance agreement ${f3(s.stanceAccuracy)}`
                : `  ${k.padEnd(8)} n=   0  (no rows)`;
            })
            .join('\n') +
          '\n',
      );
    return;
  }
  // A labeled file is scored as the workers would decide it: the agreement they run (AGREEMENT_ID, found in
  // AGREEMENTS_DIR first, as src/config.ts reads them), its lexicon and gazetteer, and its shipped models (a model
  // promoted by retraining lives in the database and is not read here).
  const agreement = useAgreements(loadConfig());
  if (args.includes('--learn')) {
    const steps = (args[args.indexOf('--learn') + 1] ?? '').split(',').map(Number);
    const learnFile = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--learn');
    if (!learnFile || steps.some((n) => !Number.isInteger(n) || n < 0)) {
      process.stderr.write('usage: npm run eval -- <labeled.jsonl> --learn 0,50,100\n');
      process.exit(2);
    }
    await learningCurve(agreement, learnFile, steps, args.includes('--json'));
    return;
  }
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--order');
  if (!file) {
    process.stderr.write(
      'usage: npm run eval -- <labeled.jsonl> [--json] [--trace] [--order observed|file|<seed>]  |  npm run eval -- --cv [--json]\n',
    );
    process.exit(2);
  }
  const reports = parseLabeledJsonl(readFileSync(file, 'utf8'));
  const orderArg = args[args.indexOf('--order') + 1];
  const order = !args.includes('--order')
    ? 'observed'
    : orderArg === 'observed' || orderArg === 'file'
      ? orderArg
      : Number(orderArg);
  if (typeof order === 'number' && !Number.isInteger(order)) {
    process.stderr.write('--order takes observed, file or an integer seed\n');
    process.exit(2);
  }
  const trace = args.includes('--trace');
  const result = await runEval(reports, {
    agreementId: agreement.id,
    order,
    trace: trace
      ? (t) =>
          process.stderr.write(
            `${t.id}\t${t.classification.terms.map((x) => x.id).join(',')}\t${t.classification.stance}\t${t.incidentId}\t${t.assignment.score}\t${t.assignment.reasons.join('; ')}\n`,
          )
      : undefined,
  });
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(toJson(result))}\n` : `${formatEval(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`eval failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
