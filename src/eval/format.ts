// Human-readable report of an eval run (scripts/eval.ts's --json prints the figures in the shape issue 12 names, without the counts).
import type { EvalResult } from './run.ts';
import type { ClassificationScore } from './metrics.ts';

const f = (x: number) => x.toFixed(3);

// A language with no reports, or a file with no cross-language pairs, has nothing to score: its vacuous 1.000 would
// read as a perfect figure.
function block(name: string, s: ClassificationScore): string {
  if (!s.count) return `${name.padEnd(8)} n=   0  (no reports)`;
  return `${name.padEnd(8)} n=${String(s.count).padStart(4)}  micro-F1 ${f(s.microF1)}  macro-F1 ${f(s.macroF1)}  stance acc ${f(s.stanceAccuracy)}`;
}

export function formatEval(r: EvalResult): string {
  const c = r.classification;
  const lines = [
    'Classification',
    `  ${'term'.padEnd(22)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'gold'.padStart(5)} ${'pred'.padStart(5)}`,
  ];
  for (const [t, s] of Object.entries(c.perTerm)) {
    lines.push(
      `  ${t.padEnd(22)} ${f(s.precision).padStart(6)} ${f(s.recall).padStart(6)} ${f(s.f1).padStart(6)} ${String(s.support).padStart(5)} ${String(s.predicted).padStart(5)}`,
    );
  }
  lines.push(
    '',
    `  ${block('overall', c)}`,
    `  ${block('en', c.perLanguage.en)}`,
    `  ${block('ar', c.perLanguage.ar)}`,
    '',
  );
  const d = r.dedup;
  lines.push('Deduplication (pairs of reports in the same incident)');
  lines.push(
    `  precision ${f(d.precision)}  recall ${f(d.recall)}  F1 ${f(d.f1)}  (gold pairs ${d.goldPairs}, predicted pairs ${d.predictedPairs})`,
  );
  lines.push(
    d.crossLanguagePairs
      ? `  cross-language duplicate recall ${f(d.crossLanguageRecall)}  (${d.crossLanguagePairs} en/ar pairs)`
      : '  cross-language duplicate recall: no en/ar pairs in this file',
  );
  return lines.join('\n');
}
