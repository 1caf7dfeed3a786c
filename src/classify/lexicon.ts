// Loads and compiles the per-agreement lexicon (lexicon/<agreementId>.json): cues for each term, stance
// cues, "not related" cues, negators, temporal and party expressions. Adding a ceasefire = adding a file.
import { readFileSync } from 'node:fs';
import { agreementFile } from '../agreements/index.ts';
import { z } from 'zod';
import { compilePattern, literalTriggers, type Span } from './patterns.ts';
import { anchorLiterals, anchored, bindAnchors, findAllAnchored, type AnchoredRegex } from './anchors.ts';
import { LiteralIndex } from './literals.ts';

const Pol = z.enum(['v', 'c', 'i']).nullable();
// A cue is [pattern, weight, polarity?, concept?, { notWith? }] — compact, so a lexicon stays readable.
const CueTuple = z
  .tuple([z.string().min(1), z.number().min(0)])
  .rest(z.unknown())
  .transform((t, ctx) => {
    const parsed = z
      .tuple([
        z.string(),
        z.number(),
        Pol.optional(),
        z.string().nullable().optional(),
        z.object({ notWith: z.array(z.string()).optional() }).optional(),
      ])
      .safeParse(t);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: `bad cue ${JSON.stringify(t)}` });
      return z.NEVER;
    }
    const [pattern, w, pol, concept, opts] = parsed.data;
    return { pattern, w, pol: pol ?? null, concept: concept ?? null, notWith: opts?.notWith ?? [] };
  });
const Stance = z.enum(['violation', 'compliance', 'information']);

export const LexiconSchema = z.object({
  agreement: z.string(),
  thresholds: z.object({ term: z.number(), relative: z.number(), none: z.number(), negatedFactor: z.number() }),
  terms: z.record(z.string(), z.object({ defaultStance: Stance, cues: z.array(CueTuple) })),
  stanceCues: z.array(CueTuple),
  noneCues: z.array(CueTuple),
  contextCues: z.array(z.tuple([z.string(), z.string()])),
  negators: z.object({ pre: z.array(z.string()), post: z.array(z.string()), void: z.array(z.string()).default([]) }),
  scopeBreakers: z.array(z.string()),
  temporal: z.object({
    previousDay: z.array(z.string()),
    twoDaysAgo: z.array(z.string()),
    routine: z.array(z.string()),
  }),
  parties: z.record(z.string(), z.array(z.string())),
});
export type LexiconFile = z.infer<typeof LexiconSchema>;
export type Polarity = 'v' | 'c' | 'i' | null;
export type StanceId = z.infer<typeof Stance>;

export interface CompiledCue {
  re: AnchoredRegex;
  pattern: string;
  kind: 'term' | 'stance' | 'none' | 'context';
  term: string | null;
  w: number;
  pol: Polarity;
  concept: string | null;
  notWith: string[];
  /** One of these must occur in the text for the cue to match at all (null: always try). */
  triggers: string[] | null;
}

export interface CompiledLexicon {
  agreement: string;
  thresholds: LexiconFile['thresholds'];
  termIds: string[];
  defaultStance: Record<string, StanceId>;
  cues: CompiledCue[];
  negPre: AnchoredRegex;
  negPost: AnchoredRegex;
  /** "instead of X": X is named but neither happened nor failed to happen; it only loses its stance. */
  negVoid: AnchoredRegex | null;
  breakers: AnchoredRegex;
  previousDay: AnchoredRegex;
  twoDaysAgo: AnchoredRegex;
  routine: AnchoredRegex;
  parties: Array<{ id: string; re: AnchoredRegex }>;
  /** Trigger literal id (in `literals`) → indexes of the cues it unlocks; cues without triggers always run. */
  triggerCues: Map<number, number[]>;
  alwaysRun: number[];
  /** Every trigger and anchor literal: one scan of a text tells which cues can match, and where. */
  literals: LiteralIndex;
}

// Several patterns as one regex: each is compiled alone first (validation), then joined.
const anyOf = (patterns: string[]) =>
  anchored(new RegExp(patterns.map((p) => compilePattern(p).source).join('|'), 'gu'));
const cueRe = (pattern: string) => anchored(compilePattern(pattern));

export function compileLexicon(file: LexiconFile): CompiledLexicon {
  const cues: CompiledCue[] = [];
  for (const [term, def] of Object.entries(file.terms)) {
    for (const c of def.cues)
      cues.push({ ...c, re: cueRe(c.pattern), triggers: literalTriggers(c.pattern), kind: 'term', term });
  }
  for (const c of file.stanceCues)
    cues.push({ ...c, re: cueRe(c.pattern), triggers: literalTriggers(c.pattern), kind: 'stance', term: null });
  for (const c of file.noneCues)
    cues.push({
      ...c,
      re: cueRe(c.pattern),
      triggers: literalTriggers(c.pattern),
      kind: 'none',
      term: null,
      pol: null,
    });
  for (const [pattern, concept] of file.contextCues)
    cues.push({
      pattern,
      re: cueRe(pattern),
      triggers: literalTriggers(pattern),
      kind: 'context',
      term: null,
      w: 0,
      pol: null,
      concept,
      notWith: [],
    });
  const byLiteral = new Map<string, number[]>();
  const alwaysRun: number[] = [];
  cues.forEach((c, i) => {
    if (!c.triggers) {
      alwaysRun.push(i);
      return;
    }
    for (const t of new Set(c.triggers)) byLiteral.set(t, [...(byLiteral.get(t) ?? []), i]);
  });
  const expressions = {
    negPre: anyOf(file.negators.pre),
    negPost: anyOf(file.negators.post),
    negVoid: file.negators.void.length ? anyOf(file.negators.void) : null,
    breakers: anyOf(file.scopeBreakers),
    previousDay: anyOf(file.temporal.previousDay),
    twoDaysAgo: anyOf(file.temporal.twoDaysAgo),
    routine: anyOf(file.temporal.routine),
    parties: Object.entries(file.parties).map(([id, ps]) => ({ id, re: anyOf(ps) })),
  };
  const { parties, ...single } = expressions;
  const anchoredAll = [
    ...cues.map((c) => c.re),
    ...Object.values(single).filter((r) => r !== null),
    ...parties.map((p) => p.re),
  ];
  const literals = new LiteralIndex([...byLiteral.keys(), ...anchoredAll.flatMap(anchorLiterals)]);
  for (const a of anchoredAll) bindAnchors(a, literals);
  return {
    triggerCues: new Map([...byLiteral].map(([literal, idx]) => [literals.id(literal)!, idx])),
    alwaysRun,
    literals,
    agreement: file.agreement,
    thresholds: file.thresholds,
    termIds: Object.keys(file.terms),
    defaultStance: Object.fromEntries(Object.entries(file.terms).map(([k, v]) => [k, v.defaultStance])),
    cues,
    ...expressions,
  };
}

/** A normalised text with its literal scan: the matches of any lexicon expression in it. */
export class LexiconText {
  private readonly found: Map<number, number[]>;
  constructor(
    readonly lex: CompiledLexicon,
    readonly text: string,
  ) {
    this.found = lex.literals.scan(text);
  }

  spans(re: AnchoredRegex): Span[] {
    return findAllAnchored(re, this.text, this.found);
  }

  /** Cues one of whose triggers occurs in the text, and the cues without triggers; in lexicon order. */
  activeCues(): number[] {
    const marked = new Uint8Array(this.lex.cues.length);
    for (const i of this.lex.alwaysRun) marked[i] = 1;
    for (const id of this.found.keys()) {
      const cues = this.lex.triggerCues.get(id);
      if (cues) for (const i of cues) marked[i] = 1;
    }
    const active: number[] = [];
    for (let i = 0; i < marked.length; i++) if (marked[i]) active.push(i);
    return active;
  }
}

const cache = new Map<string, CompiledLexicon>();

/** The lexicon file of an agreement, found by the agreements' loader (src/agreements). */
export function lexiconPath(id: string): string | null {
  return agreementFile('lexicon', id);
}

export function loadLexicon(id: string): CompiledLexicon {
  const file = lexiconPath(id);
  if (!file)
    throw new Error(
      `no lexicon for agreement ${id} (expected src/classify/lexicon/${id}.json, or lexicon/${id}.json in AGREEMENTS_DIR)`,
    );
  let lex = cache.get(file);
  if (!lex) {
    lex = compileLexicon(LexiconSchema.parse(JSON.parse(readFileSync(file, 'utf8'))));
    cache.set(file, lex);
  }
  return lex;
}
