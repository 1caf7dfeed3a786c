// How often two annotators agree: a second, independent annotator's terms and stance for rows of the corpus, scored
// against the corpus's own labels the way the model is scored. It bounds what a figure on those rows can mean: a
// model that agrees with the labels more often than a second careful reader does is learning the first reader.
import { z } from 'zod';
import type { CorpusRow } from '../classify/model/corpus.ts';
import { scoreClassification, type ClassificationScore } from './metrics.ts';

const SecondLabel = z.object({
  group: z.string().min(1),
  id: z.string().min(1),
  terms: z.array(z.string().min(1)).min(1),
  stance: z.enum(['violation', 'compliance', 'information']),
});
export type SecondLabel = z.infer<typeof SecondLabel>;

/** One row per line; a row given twice would count twice, so it is refused like a malformed line. */
export function parseSecondLabels(text: string): SecondLabel[] {
  const seen = new Set<string>();
  return text
    .split('\n')
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim())
    .map(([line, n]) => {
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`line ${n}: not JSON`);
      }
      const r = SecondLabel.safeParse(json);
      if (!r.success)
        throw new Error(`line ${n}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      const key = `${r.data.group}/${r.data.id}`;
      if (seen.has(key)) throw new Error(`line ${n}: ${key} is given twice`);
      seen.add(key);
      return r.data;
    });
}

export interface Agreement extends ClassificationScore {
  perLanguage: { en: ClassificationScore; ar: ClassificationScore };
}

/** The second annotator's labels scored against the corpus's (the corpus plays gold); unknown rows are an error. */
export function annotatorAgreement(corpus: CorpusRow[], second: SecondLabel[]): Agreement {
  const byId = new Map(corpus.map((r) => [r.id, r]));
  const items = second.map((s) => {
    const row = byId.get(`${s.group}/${s.id}`);
    if (!row) throw new Error(`${s.group}/${s.id} is not a row of the corpus`);
    return {
      lang: row.lang,
      item: { goldTerms: row.labels.terms, predTerms: s.terms, goldStance: row.labels.stance, predStance: s.stance },
    };
  });
  const score = (lang?: string) =>
    scoreClassification(items.filter((x) => !lang || x.lang === lang).map((x) => x.item));
  return { ...score(), perLanguage: { en: score('en'), ar: score('ar') } };
}
