// Agreements as data, and the one loader every module reaches them through: an agreement is <id>.json (terms,
// parties, deadlines, time zone, which gazetteer), its lexicon (cues per term and stance) and a gazetteer (places).
// The built-in ones live in src/agreements/<id>.json, src/classify/lexicon/<id>.json and
// src/classify/gazetteer/<name>.json; AGREEMENTS_DIR names a folder with more, laid out as <id>.json,
// lexicon/<id>.json and gazetteer/<name>.json, searched first. The process runs the agreement AGREEMENT_ID names
// (useAgreements at start-up): another ceasefire is another set of files, no code change.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NotFound } from '../errors.ts';

const Bilingual = z.object({ en: z.string().min(1), ar: z.string().min(1) });

export const AgreementSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: Bilingual,
    signedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    timezone: z.string().default('UTC'),
    /** Gazetteer file (src/classify/gazetteer/<name>.json) used for place resolution. */
    gazetteer: z.string().default('libya'),
    /** The box reports are expected from (the country's extent); a point outside it is flagged, not refused. */
    area: z
      .object({
        minLat: z.number().min(-90).max(90),
        maxLat: z.number().min(-90).max(90),
        minLon: z.number().min(-180).max(180),
        maxLon: z.number().min(-180).max(180),
      })
      .optional(),
    parties: z.array(z.object({ id: z.string(), name: Bilingual })),
    deadlines: z
      .array(
        z.object({ id: z.string(), term: z.string(), due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), title: Bilingual }),
      )
      .default([]),
    terms: z.array(z.object({ id: z.string().regex(/^[a-z_]+$/), title: Bilingual, description: Bilingual })).min(1),
  })
  .superRefine((a, ctx) => {
    const ids = new Set(a.terms.map((t) => t.id));
    if (!ids.has('none'))
      ctx.addIssue({ code: 'custom', path: ['terms'], message: 'an agreement needs a "none" term' });
    if (ids.size !== a.terms.length) ctx.addIssue({ code: 'custom', path: ['terms'], message: 'duplicate term id' });
    for (const d of a.deadlines)
      if (!ids.has(d.term))
        ctx.addIssue({ code: 'custom', path: ['deadlines'], message: `deadline ${d.id} names unknown term ${d.term}` });
  });

export type Agreement = z.infer<typeof AgreementSchema>;

export const DEFAULT_AGREEMENT_ID = 'libya-2020';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the built-in agreements, lexicons and gazetteers are. */
const BUILT_IN = {
  agreement: here,
  lexicon: path.join(here, '../classify/lexicon'),
  gazetteer: path.join(here, '../classify/gazetteer'),
};
type Kind = keyof typeof BUILT_IN;

let extraDir: string | null = null;
let activeId = DEFAULT_AGREEMENT_ID;
const cache = new Map<string, Agreement>();
// Where each part was found: the lexicon and gazetteer are looked up on every report classified, and a disk check per
// report was a third of the place lookup's cost. Cleared with the folder, like the agreements.
const found = new Map<string, string | null>();

/** At start-up: the agreement this process runs (AGREEMENT_ID) and the folder of further agreements (AGREEMENTS_DIR). */
export function useAgreements(config: { AGREEMENT_ID: string; AGREEMENTS_DIR?: string | undefined }): Agreement {
  const dir = config.AGREEMENTS_DIR ? path.resolve(config.AGREEMENTS_DIR) : null;
  if (dir !== extraDir) {
    cache.clear();
    found.clear();
  }
  extraDir = dir;
  activeId = config.AGREEMENT_ID;
  return loadAgreement(activeId);
}

/** The agreement this process runs. */
export function activeAgreement(): Agreement {
  return loadAgreement(activeId);
}

/** The file of an agreement's part: AGREEMENTS_DIR first, then the built-in folders; null when there is none. */
export function agreementFile(kind: Kind, name: string): string | null {
  const key = `${kind}/${name}`;
  if (found.has(key)) return found.get(key)!;
  const file = findAgreementFile(kind, name);
  // Only a found file is remembered: a part added to AGREEMENTS_DIR later is still picked up.
  if (file) found.set(key, file);
  return file;
}

function findAgreementFile(kind: Kind, name: string): string | null {
  const dirs = extraDir
    ? [kind === 'agreement' ? extraDir : path.join(extraDir, kind), BUILT_IN[kind]]
    : [BUILT_IN[kind]];
  for (const dir of dirs) {
    const file = path.join(dir, `${name}.json`);
    if (existsSync(file)) return file;
  }
  return null;
}

/** Ids of the agreements available (one JSON file each). */
export function listAgreements(): string[] {
  const ids = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [];
  return [...new Set([...ids(BUILT_IN.agreement), ...(extraDir ? ids(extraDir) : [])])].sort();
}

export function loadAgreement(id: string): Agreement {
  const hit = cache.get(id);
  if (hit) return hit;
  const file = /^[a-z0-9-]+$/.test(id) ? agreementFile('agreement', id) : null;
  if (!file) throw new NotFound(`agreement ${id}`);
  const agreement = AgreementSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  if (agreement.id !== id) throw new Error(`agreement file ${id}.json declares id ${agreement.id}`);
  cache.set(id, agreement);
  return agreement;
}

/** Term ids of an agreement, in its order. */
export const termIdsOf = (a: Pick<Agreement, 'terms'>): string[] => a.terms.map((t) => t.id);

const titles = new WeakMap<object, Record<string, string>>();

/** English term titles by id (incident summaries are English). */
export function termTitlesOf(a: Pick<Agreement, 'terms'>): Record<string, string> {
  let t = titles.get(a);
  if (!t) titles.set(a, (t = Object.fromEntries(a.terms.map((term) => [term.id, term.title.en]))));
  return t;
}
