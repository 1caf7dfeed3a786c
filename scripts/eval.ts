// npm run eval -- <file.jsonl> [--json] [--trace] [--order observed|file|<seed>]: classification and dedup quality on a
// labeled file, the reports arriving in observedAt order (default), in file order, or shuffled with a seed.
import { readFileSync } from 'node:fs';
import { parseLabeledJsonl, runEval, formatEval, type EvalResult } from '../src/eval/index.ts';

function toJson(r: EvalResult) {
  const c = r.classification;
  const lang = (s: typeof c.perLanguage.en) => ({ microF1: s.microF1, macroF1: s.macroF1, stanceAccuracy: s.stanceAccuracy, count: s.count, perTerm: s.perTerm });
  return {
    classification: { microF1: c.microF1, macroF1: c.macroF1, perLanguage: { en: lang(c.perLanguage.en), ar: lang(c.perLanguage.ar) }, perTerm: c.perTerm, stanceAccuracy: c.stanceAccuracy },
    dedup: { precision: r.dedup.precision, recall: r.dedup.recall, f1: r.dedup.f1, crossLanguageRecall: r.dedup.crossLanguageRecall },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: npm run eval -- <labeled.jsonl> [--json] [--trace] [--order observed|file|<seed>]\n');
    process.exit(2);
  }
  const reports = parseLabeledJsonl(readFileSync(file, 'utf8'));
  const orderArg = args[args.indexOf('--order') + 1];
  const order = !args.includes('--order') ? 'observed' : orderArg === 'observed' || orderArg === 'file' ? orderArg : Number(orderArg);
  if (typeof order === 'number' && !Number.isInteger(order)) {
    process.stderr.write('--order takes observed, file or an integer seed\n');
    process.exit(2);
  }
  const trace = args.includes('--trace');
  const result = await runEval(reports, {
    order,
    trace: trace ? (t) => process.stderr.write(`${t.id}\t${t.classification.terms.map((x) => x.id).join(',')}\t${t.classification.stance}\t${t.incidentId}\t${t.assignment.score}\t${t.assignment.reasons.join('; ')}\n`) : undefined,
  });
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(toJson(result))}\n` : `${formatEval(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`eval failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
