// Agreements as data: every <id>.json in this folder is a ceasefire agreement (terms, parties, deadlines).
// Another ceasefire is another file here (plus its lexicon in src/classify/lexicon/<id>.json), no code change.
import { readFileSync, readdirSync } from 'node:fs';
import { z } from 'zod';
import { NotFound } from '../errors.ts';

const Bilingual = z.object({ en: z.string().min(1), ar: z.string().min(1) });

export const AgreementSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: Bilingual,
  signedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  timezone: z.string().default('UTC'),
  /** Gazetteer file (src/classify/gazetteer/<name>.json) used for place resolution. */
  gazetteer: z.string().default('libya'),
  parties: z.array(z.object({ id: z.string(), name: Bilingual })),
  deadlines: z.array(z.object({ id: z.string(), term: z.string(), due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), title: Bilingual })).default([]),
  terms: z.array(z.object({ id: z.string().regex(/^[a-z_]+$/), title: Bilingual, description: Bilingual })).min(1),
}).superRefine((a, ctx) => {
  const ids = new Set(a.terms.map((t) => t.id));
  if (!ids.has('none')) ctx.addIssue({ code: 'custom', path: ['terms'], message: 'an agreement needs a "none" term' });
  if (ids.size !== a.terms.length) ctx.addIssue({ code: 'custom', path: ['terms'], message: 'duplicate term id' });
  for (const d of a.deadlines) if (!ids.has(d.term)) ctx.addIssue({ code: 'custom', path: ['deadlines'], message: `deadline ${d.id} names unknown term ${d.term}` });
});

export type Agreement = z.infer<typeof AgreementSchema>;

const folder = new URL('./', import.meta.url);
const cache = new Map<string, Agreement>();

/** Ids of the agreements available (one JSON file each). */
export function listAgreements(): string[] {
  return readdirSync(folder).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function loadAgreement(id: string): Agreement {
  const hit = cache.get(id);
  if (hit) return hit;
  if (!listAgreements().includes(id)) throw new NotFound(`agreement ${id}`);
  const agreement = AgreementSchema.parse(JSON.parse(readFileSync(new URL(`./${id}.json`, folder), 'utf8')));
  if (agreement.id !== id) throw new Error(`agreement file ${id}.json declares id ${agreement.id}`);
  cache.set(id, agreement);
  return agreement;
}

export const DEFAULT_AGREEMENT_ID = 'libya-2020';
