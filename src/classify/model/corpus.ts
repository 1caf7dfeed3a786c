// The labeled corpus as listed in data/corpus/manifest.json: the rows the shipped model is trained on, each with
// the group the grouped cross-validation holds out (a writer, a collection of published text, a team file).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseLabeledJsonl } from '../../eval/dataset.ts';
import type { TrainingRow } from './train.ts';

const Manifest = z.object({
  files: z
    .array(
      z.object({ path: z.string().min(1), group: z.string().min(1), kind: z.enum(['field', 'published', 'team']) }),
    )
    .min(1),
});
export type CorpusKind = 'field' | 'published' | 'team';
export interface CorpusRow extends TrainingRow {
  kind: CorpusKind;
  incident: string;
  observedAt: string;
  lat: number | null;
  lon: number | null;
  attachmentHashes?: string[];
}

export const DEFAULT_MANIFEST = 'data/corpus/manifest.json';

/** Every row of every file in the manifest, in manifest then file order (training depends on that order). */
export function loadCorpus(root = process.cwd(), manifest = DEFAULT_MANIFEST): CorpusRow[] {
  const m = Manifest.parse(JSON.parse(readFileSync(path.resolve(root, manifest), 'utf8')));
  const rows: CorpusRow[] = [];
  const seen = new Set<string>();
  for (const f of m.files) {
    for (const r of parseLabeledJsonl(readFileSync(path.resolve(root, f.path), 'utf8'))) {
      // Ids are unique within a file; across files the group keeps them apart.
      const id = `${f.group}/${r.id}`;
      if (seen.has(id)) throw new Error(`${f.path}: duplicate id ${r.id}`);
      seen.add(id);
      rows.push({
        id,
        group: f.group,
        kind: f.kind,
        lang: r.lang,
        narrative: r.narrative,
        placeName: r.placeName ?? null,
        partyAlleged: r.partyAlleged ?? null,
        labels: { terms: r.labels.terms, stance: r.labels.stance },
        incident: `${f.group}/${r.labels.incident}`,
        observedAt: r.observedAt,
        lat: r.lat ?? null,
        lon: r.lon ?? null,
        attachmentHashes: r.attachmentHashes,
      });
    }
  }
  return rows;
}
