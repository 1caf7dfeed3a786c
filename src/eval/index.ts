// eval/: scores the processing pipeline on a labeled JSONL file (npm run eval -- <file> [--json]).
export { parseLabeledJsonl, LabeledReport } from './dataset.ts';
export { arrivalOrder, runEval, type ArrivalOrder, type EvalResult, type EvalTrace } from './run.ts';
export { scoreClassification, scoreDedup, prf } from './metrics.ts';
export { formatEval } from './format.ts';
