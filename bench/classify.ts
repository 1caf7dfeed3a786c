// `npx tsx bench/classify.ts [rounds] [passes]`: CPU time of classification per report, in process, over the
// labelled files (dev + the three blind sets + a sample of the corpus, published paragraphs included): the lexicon
// alone, the lexicon with the learned model, and the whole analysis (classification, place, dedup features). CPU time (process.cpuUsage), not wall time, and the median of
// the rounds: the machine is shared, and what the pipeline budget counts is CPU per report.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classifyReport } from '../src/classify/classifier.ts';
import { classify } from '../src/classify/classify.ts';
import { loadAgreement } from '../src/agreements/index.ts';
import { createAnalyzer } from '../src/pipeline/analyzer.ts';
import type { ReportForProcessing } from '../src/pipeline/types.ts';
import { printTable } from './stats.ts';

const FILES = [
  '../data/corpus/team/dev-reports.jsonl',
  '../tests/fixtures/blind-reports.jsonl',
  '../tests/fixtures/blind2-reports.jsonl',
  '../tests/fixtures/blind3-reports.jsonl',
  '../data/corpus/field/w02-narrative.jsonl',
  '../data/corpus/field/w05-dialect.jsonl',
  '../data/corpus/published/p5-arabic-press.jsonl',
];
const rounds = Number(process.argv[2] ?? 7);
const passes = Number(process.argv[3] ?? 5);

const rows = FILES.flatMap((f) =>
  readFileSync(fileURLToPath(new URL(f, import.meta.url)), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l)),
);
const reports: ReportForProcessing[] = rows.map((r, i) => ({
  id: String(i),
  contentHash: '',
  observedAt: new Date(r.observedAt),
  lat: r.lat ?? null,
  lon: r.lon ?? null,
  accuracyM: r.accuracyM ?? null,
  placeName: r.placeName ?? null,
  narrative: r.narrative,
  partyAlleged: r.partyAlleged ?? 'unknown',
  casualties: null,
  status: 'received',
  inputHash: null,
  correction: null,
  classification: null,
  terms: [],
  stance: null,
  incidentId: null,
  incidentPinned: false,
  attachmentHashes: [],
  photoHashes: [],
}));
const agreement = loadAgreement('libya-2020');
const analyzer = createAnalyzer('libya-2020');

function cpuPerReport(run: (r: ReportForProcessing) => unknown): number {
  const start = process.cpuUsage();
  for (let p = 0; p < passes; p++) for (const r of reports) run(r);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (passes * reports.length);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const measured = {
  'classifyReport (lexicon)': (r: ReportForProcessing) =>
    classifyReport({ narrative: r.narrative, partyAlleged: r.partyAlleged, placeName: r.placeName }, agreement),
  'classify (lexicon + model)': (r: ReportForProcessing) =>
    classify({ narrative: r.narrative, partyAlleged: r.partyAlleged, placeName: r.placeName }, agreement),
  'analyzer.analyze': (r: ReportForProcessing) => analyzer.analyze(r),
};
printTable(
  `classification CPU per report (${reports.length} reports × ${passes} passes, median of ${rounds} rounds after a warm-up)`,
  Object.entries(measured).map(([name, run]) => {
    cpuPerReport(run);
    const xs = Array.from({ length: rounds }, () => cpuPerReport(run));
    return {
      step: name,
      'median µs': Math.round(median(xs)),
      'min µs': Math.round(Math.min(...xs)),
      'max µs': Math.round(Math.max(...xs)),
    };
  }),
);
