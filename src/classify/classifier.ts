// Term classifier: weighted lexicon cues (multi-label), negation scope, stance from polar cues, and the
// evidence spans that decided each term (offsets into the original narrative). Deterministic, no model.
import { normalizeWithMap, originalSpan, type NormalizedText } from './normalize.ts';
import { detectLanguage, type Language } from './language.ts';
import type { AnchoredRegex } from './anchors.ts';
import type { Span } from './patterns.ts';
import { LexiconText, loadLexicon, type CompiledCue, type CompiledLexicon, type StanceId } from './lexicon.ts';
import { findPlaceMentions, isForeign, loadGazetteer, placeByName } from './places.ts';
import type { Agreement } from '../agreements/index.ts';

export type Stance = StanceId;
export interface Evidence {
  start: number;
  end: number;
  text: string;
  negated?: boolean;
}
export interface TermResult {
  id: string;
  confidence: number;
  evidence: Evidence[];
}
export interface ClassifyInput {
  narrative: string;
  partyAlleged?: string | null;
  placeName?: string | null;
}
export interface ClassifyResult {
  language: Language;
  normalizedText: string;
  terms: TermResult[];
  stance: Stance;
  stanceConfidence: number;
  /** Spans that decided the stance (e.g. "reopened", "not returned"). */
  stanceEvidence: Evidence[];
  /** Language-independent signals used by deduplication (concepts, parties, time references). */
  signals: {
    concepts: string[];
    parties: string[];
    previousDay: boolean;
    twoDaysAgo: boolean;
    routine: boolean;
    places: string[];
  };
}

interface Match {
  start: number;
  end: number;
  cue: CompiledCue;
  negated: boolean;
  voided: boolean;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const CLAUSE_PUNCT = /[.;:!?\n,()"]/g;

function clauseBoundaries(lt: LexiconText): number[] {
  const b: number[] = [];
  for (const m of lt.text.matchAll(CLAUSE_PUNCT)) b.push(m.index);
  for (const s of lt.spans(lt.lex.breakers)) b.push(s.start);
  return b.sort((x, y) => x - y);
}

const clauseOf = (bounds: number[], pos: number) => {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const wordsBetween = (text: string, a: number, b: number) =>
  a >= b ? 0 : text.slice(a, b).trim().split(/\s+/).filter(Boolean).length;

// Equal spans: a term cue explains more than a stance cue ("withdrawal" is troop evidence and a stance).
const KIND_RANK = { term: 0, none: 1, stance: 2, context: 3 } as const;

/** Longest match wins where cues overlap (e.g. "celebratory gunfire" over "gunfire", "cargo flight" over "flight"). */
function selectMatches(lt: LexiconText): Match[] {
  const { text, lex } = lt;
  const all: Match[] = [];
  for (const i of lt.activeCues()) {
    const cue = lex.cues[i];
    for (const s of lt.spans(cue.re)) all.push({ ...s, cue, negated: false, voided: false });
  }
  all.sort(
    (a, b) =>
      b.end - b.start - (a.end - a.start) ||
      KIND_RANK[a.cue.kind] - KIND_RANK[b.cue.kind] ||
      b.cue.w - a.cue.w ||
      a.start - b.start,
  );
  const taken = new Uint8Array(text.length);
  const chosen: Match[] = [];
  for (const m of all) {
    let free = true;
    for (let i = m.start; i < m.end; i++)
      if (taken[i]) {
        free = false;
        break;
      }
    if (!free) continue;
    taken.fill(1, m.start, m.end);
    chosen.push(m);
  }
  return chosen.sort((a, b) => a.start - b.start);
}

const NEG_WINDOW_WORDS = 5;
// "no military cargo plane or unloading": one qualifying word may stand before the conjunction.
const COORDINATION =
  /^\s*(?:[\p{L}\p{N}]+\s+(?=(?:or|nor|and|او|ولا)\s))?(?:(?:or|nor|and|and or|or any|nor any|او|ولا|او اي|ولا اي)\s+)?$/u;
const POST_NEG_WINDOW_WORDS = 4;

const strictlyInside = (matches: Match[], s: Span) =>
  matches.some((m) => m.start <= s.start && m.end >= s.end && m.end - m.start > s.end - s.start);

interface NegationScope {
  lt: LexiconText;
  matches: Match[];
  cues: Match[];
  bounds: number[];
}

// Module-level functions, not closures made per report: under tsx each named closure costs a defineProperty.
function negateForward(scope: NegationScope, re: AnchoredRegex, flag: 'negated' | 'voided'): void {
  const {
    lt: { text },
    matches,
    cues,
    bounds,
  } = scope;
  for (const neg of scope.lt.spans(re)) {
    if (strictlyInside(matches, neg)) continue;
    const clause = clauseOf(bounds, neg.start + 1);
    // "no presence of foreign fighters": words that merely assert presence pass the negation on.
    // "no shelling or gunfire", "no incitement or calls to violence": the negation runs on through
    // a coordination ("or", "nor", "and", "او", "ولا") to the next cue, and stops at anything else.
    let chainEnd = -1;
    for (const m of cues) {
      if (m.start < neg.end || clauseOf(bounds, m.start + 1) !== clause) continue;
      if (chainEnd >= 0) {
        if (!COORDINATION.test(text.slice(chainEnd, m.start))) break;
      } else if (wordsBetween(text, neg.end, m.start) > NEG_WINDOW_WORDS) break;
      m[flag] = true;
      if (m.cue.kind === 'stance' && m.cue.pol === 'v') continue;
      chainEnd = m.end;
    }
  }
}

/** A negator negates the first cue after it in its clause ("no movement observed, no new positions"). */
function applyNegation(lt: LexiconText, matches: Match[]): void {
  const { text, lex } = lt;
  const bounds = clauseBoundaries(lt);
  const cues = matches.filter((m) => m.cue.kind === 'term' || m.cue.kind === 'stance');
  const scope: NegationScope = { lt, matches, cues, bounds };
  negateForward(scope, lex.negPre, 'negated');
  if (lex.negVoid) negateForward(scope, lex.negVoid, 'voided');
  for (const neg of lt.spans(lex.negPost)) {
    if (strictlyInside(matches, neg)) continue;
    const clause = clauseOf(bounds, neg.start + 1);
    const before = cues.filter((m) => m.end <= neg.start && clauseOf(bounds, m.start + 1) === clause);
    const target = before[before.length - 1];
    if (target && wordsBetween(text, target.end, neg.start) <= POST_NEG_WINDOW_WORDS) target.negated = true;
  }
}

function scoreTerms(matches: Match[], lex: CompiledLexicon, dropped: Set<CompiledCue>): Map<string, number> {
  const scores = new Map<string, number>();
  for (const m of matches) {
    if (m.cue.kind !== 'term' || !m.cue.term || dropped.has(m.cue)) continue;
    const w = m.negated ? m.cue.w * lex.thresholds.negatedFactor : m.cue.w;
    scores.set(m.cue.term, (scores.get(m.cue.term) ?? 0) + w);
  }
  return scores;
}

const maxTermScore = (scores: Map<string, number>, kept: Set<string>) =>
  Math.max(0, ...[...kept].map((t) => scores.get(t) ?? 0));

function keptTerms(scores: Map<string, number>, lex: CompiledLexicon): Set<string> {
  const max = Math.max(0, ...scores.values());
  return new Set(
    [...scores].filter(([, s]) => s >= lex.thresholds.term && s >= lex.thresholds.relative * max).map(([t]) => t),
  );
}

function evidenceOf(n: NormalizedText, narrative: string, m: Match): Evidence {
  const span = originalSpan(n, m.start, m.end);
  const ev: Evidence = { start: span.start, end: span.end, text: narrative.slice(span.start, span.end) };
  if (m.negated) ev.negated = true;
  return ev;
}

function decideStance(
  matches: Match[],
  kept: Set<string>,
  notWithDropped: Set<CompiledCue>,
  scores: Map<string, number>,
  lex: CompiledLexicon,
) {
  const sum = { violation: 0, compliance: 0, information: 0 };
  const decisive: Match[] = [];
  const positive = new Map<string, number>();
  const negative = new Map<string, number>();
  let mineCasualty = false;
  for (const m of matches) {
    if (m.cue.kind !== 'term' || m.voided) continue;
    const bucket = m.negated ? negative : positive;
    bucket.set(m.cue.term!, (bucket.get(m.cue.term!) ?? 0) + m.cue.w);
  }
  for (const m of matches) {
    const c = m.cue;
    const counts = c.kind === 'stance' || (c.kind === 'term' && (kept.has(c.term!) || notWithDropped.has(c)));
    if (!counts || m.voided) continue;
    let target: keyof typeof sum | null = null;
    if (!m.negated)
      target = c.pol === 'v' ? 'violation' : c.pol === 'c' ? 'compliance' : c.pol === 'i' ? 'information' : null;
    else if (c.pol === 'c')
      target = 'violation'; // "not returned", "no departures observed"
    else if (c.kind === 'term' && c.pol !== 'i' && (negative.get(c.term!) ?? 0) >= (positive.get(c.term!) ?? 0)) {
      target = 'information'; // "no movement observed" — unless the report also positively reports that term
    }
    if (target === 'violation' && c.concept === 'casualties' && kept.has('mines_uxo')) mineCasualty = true;
    if (!target || c.w === 0) continue;
    sum[target] += c.w;
    decisive.push(m);
  }
  // Someone killed or hurt by a mine, booby trap or UXO is a violation of the mines term (the
  // labelling convention), whatever the follow-up: a cordon, a clearance request or an evacuation.
  // An awareness session citing casualty figures is not itself an incident.
  if (mineCasualty && !matches.some((m) => m.cue.concept === 'awareness' && !m.negated)) {
    return {
      stance: 'violation' as Stance,
      confidence: 0.8,
      decisive: decisive.filter((m) => m.cue.concept === 'casualties'),
    };
  }
  const total = sum.violation + sum.compliance + sum.information;
  if (total === 0) {
    const top = [...kept].sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0))[0];
    return { stance: (top ? lex.defaultStance[top] : 'information') as Stance, confidence: 0.55, decisive };
  }
  // Ties go to violation, then compliance: a report that mixes both is a violation for the commission.
  const order: Stance[] = ['violation', 'compliance', 'information'];
  const ranked = [...order].sort((a, b) => sum[b] - sum[a] || order.indexOf(a) - order.indexOf(b));
  const margin = (sum[ranked[0]] - sum[ranked[1]]) / total;
  return {
    stance: ranked[0],
    confidence: round2(Math.min(0.98, 0.55 + 0.45 * margin)),
    decisive: decisive.filter(
      (m) =>
        m.cue.pol &&
        (m.negated
          ? m.cue.pol === 'c'
            ? 'violation'
            : 'information'
          : { v: 'violation', c: 'compliance', i: 'information' }[m.cue.pol]) === ranked[0],
    ),
  };
}

function resolveLexicon(agreement: Pick<Agreement, 'id'> | string): CompiledLexicon {
  return loadLexicon(typeof agreement === 'string' ? agreement : agreement.id);
}

/**
 * What the rules saw, beside their decision: the learned model (classify/model) reads these as features, so it
 * learns where the lexicon is precise and where it is blind. Scores are the lexicon's weighted cue sums.
 */
export interface RuleEvidence {
  termScores: Record<string, number>;
  /** Weighted cues of a term seen only under negation ("no movement observed"). */
  negatedTermScores: Record<string, number>;
  noneScore: number;
  stanceSums: { violation: number; compliance: number; information: number };
  concepts: string[];
  negatedConcepts: string[];
  foreignPlace: boolean;
  libyanPlace: boolean;
}

/** Classify one report against an agreement's terms. Pure and deterministic. */
export function classifyReport(
  input: ClassifyInput,
  agreement: (Pick<Agreement, 'id'> & { gazetteer?: string }) | string,
): ClassifyResult {
  return classifyWithRules(input, agreement).result;
}

/** The rules' classification and the evidence behind it. */
export function classifyWithRules(
  input: ClassifyInput,
  agreement: (Pick<Agreement, 'id'> & { gazetteer?: string }) | string,
): { result: ClassifyResult; evidence: RuleEvidence } {
  const lex = resolveLexicon(agreement);
  const gazetteer = loadGazetteer(typeof agreement === 'string' ? 'libya' : (agreement.gazetteer ?? 'libya'));
  const narrative = input.narrative ?? '';
  const n = normalizeWithMap(narrative);
  const language = detectLanguage(narrative);
  const lt = new LexiconText(lex, n.text);
  const matches = selectMatches(lt);
  applyNegation(lt, matches);

  // Generic cues ("convoy", "checkpoint") step back when a more specific term explains them.
  let scores = scoreTerms(matches, lex, new Set());
  let kept = keptTerms(scores, lex);
  const dropped = new Set<CompiledCue>();
  for (const m of matches)
    if (m.cue.kind === 'term' && m.cue.notWith.some((t) => kept.has(t) && t !== m.cue.term)) dropped.add(m.cue);
  if (dropped.size) {
    scores = scoreTerms(matches, lex, dropped);
    kept = keptTerms(scores, lex);
  }
  // "No gunfire; four more technicals arrived": a term named only in negation is not the report's
  // subject when another term is positively reported ("Not shelling" beside a UXO demolition).
  const asserted = new Set(
    matches
      .filter((m) => m.cue.kind === 'term' && !m.negated && !m.voided && !dropped.has(m.cue) && m.cue.w > 0)
      .map((m) => m.cue.term!),
  );
  if ([...kept].some((t) => asserted.has(t))) for (const t of [...kept]) if (!asserted.has(t)) kept.delete(t);

  const mentions = findPlaceMentions(n.text, gazetteer).map((m) => gazetteer.byId.get(m.placeId)!);
  const typed = input.placeName ? placeByName(input.placeName, gazetteer) : null;
  let noneScore = matches.filter((m) => m.cue.kind === 'none').reduce((s, m) => s + m.cue.w, 0);
  // An event placed abroad is outside the ceasefire: the observer's typed place abroad is decisive, a
  // foreign place named in the narrative only counts when no Libyan place is named or typed.
  const libyan = mentions.some((p) => !isForeign(p)) || (typed != null && !isForeign(typed));
  if (typed && isForeign(typed))
    noneScore += mentions.some((p) => !isForeign(p)) ? 1.5 : 1.5 + maxTermScore(scores, kept);
  else if (!libyan && mentions.some(isForeign)) noneScore += 1.0;
  const maxScore = maxTermScore(scores, kept);

  const signals = {
    concepts: [...new Set(matches.filter((m) => m.cue.concept && !m.negated).map((m) => m.cue.concept!))].sort(),
    parties: lex.parties.filter((p) => lt.spans(p.re).length > 0).map((p) => p.id),
    previousDay: lt.spans(lex.previousDay).length > 0,
    twoDaysAgo: lt.spans(lex.twoDaysAgo).length > 0,
    routine: lt.spans(lex.routine).length > 0,
    places: [...new Set(mentions.map((p) => p.id))],
  };

  const evidence = ruleEvidence(
    matches,
    scores,
    noneScore,
    dropped,
    mentions.some(isForeign) || (typed != null && isForeign(typed)),
    libyan,
  );
  if (kept.size === 0 || (noneScore >= lex.thresholds.none && noneScore >= maxScore)) {
    const noneEvidence = matches.filter((m) => m.cue.kind === 'none').map((m) => evidenceOf(n, narrative, m));
    return {
      evidence,
      result: {
        language,
        normalizedText: n.text,
        terms: [
          {
            id: 'none',
            confidence: round2(
              kept.size === 0 ? Math.max(0.6, 1 - Math.exp(-1 - noneScore)) : 1 - Math.exp(-noneScore),
            ),
            evidence: noneEvidence,
          },
        ],
        stance: 'information',
        stanceConfidence: round2(kept.size === 0 ? 0.9 : 0.7),
        stanceEvidence: [],
        signals,
      },
    };
  }

  const terms: TermResult[] = [...kept]
    .sort((a, b) => scores.get(b)! - scores.get(a)! || a.localeCompare(b))
    .map((id) => ({
      id,
      confidence: round2(Math.min(0.99, 1 - Math.exp(-scores.get(id)!))),
      evidence: matches
        .filter((m) => m.cue.kind === 'term' && m.cue.term === id && !dropped.has(m.cue))
        .map((m) => evidenceOf(n, narrative, m)),
    }));
  const st = decideStance(matches, kept, dropped, scores, lex);
  return {
    evidence,
    result: {
      language,
      normalizedText: n.text,
      terms,
      stance: st.stance,
      stanceConfidence: st.confidence,
      stanceEvidence: st.decisive.map((m) => evidenceOf(n, narrative, m)),
      signals,
    },
  };
}

function ruleEvidence(
  matches: Match[],
  scores: Map<string, number>,
  noneScore: number,
  dropped: Set<CompiledCue>,
  foreignPlace: boolean,
  libyanPlace: boolean,
): RuleEvidence {
  const negatedTermScores: Record<string, number> = {};
  const stanceSums = { violation: 0, compliance: 0, information: 0 };
  const concepts = new Set<string>();
  const negatedConcepts = new Set<string>();
  for (const m of matches) {
    const c = m.cue;
    if (c.concept) (m.negated ? negatedConcepts : concepts).add(c.concept);
    if (c.kind === 'term' && m.negated && !dropped.has(c))
      negatedTermScores[c.term!] = (negatedTermScores[c.term!] ?? 0) + c.w;
    if ((c.kind === 'stance' || c.kind === 'term') && c.pol && !m.voided) {
      const pol = m.negated
        ? c.pol === 'c'
          ? 'violation'
          : 'information'
        : c.pol === 'v'
          ? 'violation'
          : c.pol === 'c'
            ? 'compliance'
            : 'information';
      stanceSums[pol] += c.w;
    }
  }
  return {
    termScores: Object.fromEntries(scores),
    negatedTermScores,
    noneScore,
    stanceSums,
    concepts: [...concepts].sort(),
    negatedConcepts: [...negatedConcepts].sort(),
    foreignPlace,
    libyanPlace,
  };
}
