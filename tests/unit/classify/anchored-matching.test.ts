import { describe, expect, it } from 'vitest';
import { classifyReport, type Evidence } from '../../../src/classify/classifier.ts';
import { loadLexicon } from '../../../src/classify/lexicon.ts';
import { loadGazetteer } from '../../../src/classify/places.ts';
import { normalizeText, normalizeWithMap } from '../../../src/classify/normalize.ts';
import { detectLanguage } from '../../../src/classify/language.ts';
import { findAll } from '../../../src/classify/patterns.ts';
import { analyse, findAllAnchored, withoutCaptures, type AnchoredRegex } from '../../../src/classify/anchors.ts';
import { LiteralIndex } from '../../../src/classify/literals.ts';

// The classifier tries each lexicon expression only where its first literal occurs (anchors.ts, literals.ts).
// These pin that it finds exactly what scanning the whole text with each regex finds, and the outputs of
// sentences that exercise negation scope, Arabic normalisation, overlapping cues and evidence offsets
// (recorded from the whole-text scan before anchoring was introduced).
const PINNED: Array<{
  narrative: string;
  terms: Array<[string, number, Array<[number, number, string] | [number, number, string, 'neg']>]>;
  stance: [string, number, Array<[number, number, string]>];
  places: string[];
}> = [
  {
    narrative: 'No shelling or gunfire heard overnight; four more technicals arrived at the checkpoint.',
    terms: [['troop_return', 0.63, [[45, 60, 'more technicals']]]],
    stance: [
      'violation',
      0.98,
      [
        [45, 60, 'more technicals'],
        [61, 68, 'arrived'],
      ],
    ],
    places: [],
  },
  {
    narrative: 'Celebratory gunfire at a wedding in Bani Walid, no injuries.',
    terms: [
      [
        'none',
        0.98,
        [
          [0, 19, 'Celebratory gunfire'],
          [25, 32, 'wedding'],
        ],
      ],
    ],
    stance: ['information', 0.9, []],
    places: ['bani_walid'],
  },
  {
    narrative: 'Artillery was not observed near Sirte, but mortar rounds hit Abu Grein.',
    terms: [
      [
        'hostilities',
        0.89,
        [
          [0, 9, 'Artillery', 'neg'],
          [43, 60, 'mortar rounds hit'],
        ],
      ],
    ],
    stance: ['violation', 0.98, [[43, 60, 'mortar rounds hit']]],
    places: ['sirte', 'abu_grein'],
  },
  {
    narrative: 'Instead of withdrawing, the unit dug new trenches west of Sirte.',
    terms: [
      [
        'troop_return',
        0.85,
        [
          [11, 22, 'withdrawing'],
          [28, 32, 'unit'],
          [41, 49, 'trenches'],
        ],
      ],
    ],
    stance: [
      'violation',
      0.98,
      [
        [33, 36, 'dug'],
        [37, 40, 'new'],
        [41, 49, 'trenches'],
      ],
    ],
    places: ['sirte'],
  },
  {
    narrative: 'لم يُرصَد أيُّ قـصفٍ مدفعي على الوشكة، لكن وصلت ثلاث آليات مسلحة.',
    terms: [
      [
        'hostilities',
        0.85,
        [
          [15, 19, 'قـصف', 'neg'],
          [21, 26, 'مدفعي', 'neg'],
        ],
      ],
    ],
    stance: [
      'information',
      0.81,
      [
        [15, 19, 'قـصف'],
        [21, 26, 'مدفعي'],
      ],
    ],
    places: ['washka'],
  },
  {
    narrative: 'بثت قناة خطاباً يصف الطرف الآخر بالمرتزقة ويدعو إلى قتالهم 😀 في مصراتة',
    terms: [
      [
        'hate_speech',
        0.82,
        [
          [0, 3, 'بثت'],
          [4, 8, 'قناة'],
          [16, 41, 'يصف الطرف الآخر بالمرتزقة'],
        ],
      ],
    ],
    stance: ['violation', 0.55, []],
    places: ['misrata'],
  },
  {
    narrative: 'Convoy of 12 trucks entered Al-Jufra airbase; the road to Sirte re-opened yesterday.',
    terms: [['road_opening', 0.7, [[50, 73, 'road to Sirte re-opened']]]],
    stance: ['compliance', 0.74, [[50, 73, 'road to Sirte re-opened']]],
    places: ['jufra_airbase', 'sirte'],
  },
  {
    narrative: 'Two cargo planes (Il-76) unloaded crates at Al Khadim airbase, 2 EOD teams cleared UXO nearby.',
    terms: [
      [
        'arms_transfer',
        0.95,
        [
          [4, 16, 'cargo planes'],
          [18, 23, 'Il-76'],
          [25, 33, 'unloaded'],
          [34, 40, 'crates'],
        ],
      ],
      [
        'mines_uxo',
        0.82,
        [
          [65, 68, 'EOD'],
          [75, 86, 'cleared UXO'],
        ],
      ],
    ],
    stance: ['compliance', 0.98, [[75, 86, 'cleared UXO']]],
    places: ['al_khadim'],
  },
];

const evidence = (e: Evidence) => (e.negated ? [e.start, e.end, e.text, 'neg'] : [e.start, e.end, e.text]);

describe('classification outputs (pinned)', () => {
  it.each(PINNED)('$narrative', ({ narrative, terms, stance, places }) => {
    const r = classifyReport({ narrative }, 'libya-2020');
    expect(r.terms.map((t) => [t.id, t.confidence, t.evidence.map(evidence)])).toEqual(terms);
    expect([r.stance, r.stanceConfidence, r.stanceEvidence.map((e) => [e.start, e.end, e.text])]).toEqual(stance);
    expect(r.signals.places).toEqual(places);
    for (const t of r.terms) for (const e of t.evidence) expect(narrative.slice(e.start, e.end)).toBe(e.text);
  });
});

describe('anchored matching finds what a whole-text scan finds', () => {
  const lex = loadLexicon('libya-2020');
  const g = loadGazetteer('libya');
  const texts = [
    ...PINNED.map((p) => p.narrative),
    // Glued words, a cue inside a longer word, surrogate pairs, an em space the normaliser keeps.
    'nomovement observed,knownothing; no-one hurt. unknown convoys heading north',
    'لا يوجد لا تحرك ولاتحرك بالطريق والطريق الساحلي 😀طريق 😀 مفتوح',
    'x12 impacts 😀 3 impacts near gate of the camp gates opened',
    'road\u2003to sirte reopened. مصراتهمصراته ومصراته امعيتيقه',
    // Astral letters and digits before a cue: the word-start test reads the whole code point.
    '\u{1D400}no movement, \u{1D7CF}2 impacts, \u{1D400} no gunfire, 😀no shelling',
  ].map(normalizeText);
  const expressions: Array<[string, AnchoredRegex, LiteralIndex]> = [
    ...lex.cues.map((c): [string, AnchoredRegex, LiteralIndex] => [c.pattern, c.re, lex.literals]),
    ...[
      lex.negPre,
      lex.negPost,
      lex.breakers,
      lex.previousDay,
      lex.twoDaysAgo,
      lex.routine,
      ...lex.parties.map((p) => p.re),
    ].map((re): [string, AnchoredRegex, LiteralIndex] => [re.re.source.slice(0, 40), re, lex.literals]),
    ['gazetteer', g.mentionRe, g.mentionLiterals],
  ];
  it('for every lexicon expression and the gazetteer', () => {
    for (const text of texts) {
      const scans = new Map([lex.literals, g.mentionLiterals].map((ix) => [ix, ix.scan(text)]));
      for (const [name, re, index] of expressions) {
        expect(findAllAnchored(re, text, scans.get(index)!), `${name} in ${text}`).toEqual(findAll(re.re, text));
      }
    }
  });
  it('leaves a pattern without a literal near its start to the whole-text scan', () => {
    expect(analyse(String.raw`(?<![\p{L}\p{N}])(?:\d+\s+impacts?)`).anchors).toBeNull();
    expect(analyse(String.raw`(a)\1`).anchors).toBeNull();
    expect(analyse(String.raw`(?<![\p{L}\p{N}])(?:(?:[وف])?(?:ال)?(?:طريق)ا?)`)).toEqual({
      anchors: [{ literals: ['طريق'], lo: 0, hi: 4 }],
      bounded: true,
    }); // a class may match a surrogate pair
    expect(analyse(String.raw`(?:convoys?|columns? of)`)).toEqual({
      anchors: [
        { literals: ['convoy'], lo: 0, hi: 0 },
        { literals: ['column'], lo: 0, hi: 0 },
      ],
      bounded: false,
    });
  });
});

describe('sticky copies without captures', () => {
  it('makes groups non-capturing outside classes and escapes, and leaves backreferences alone', () => {
    expect(withoutCaptures(String.raw`(?<![\p{L}\p{N}])(?:(re)?open(ed|s)?)`)).toBe(
      String.raw`(?<![\p{L}\p{N}])(?:(?:re)?open(?:ed|s)?)`,
    );
    expect(withoutCaptures(String.raw`a[(]b\(c(d)(?<=(camp) )`)).toBe(String.raw`a[(]b\(c(?:d)(?<=(?:camp) )`);
    expect(withoutCaptures(String.raw`(a)\1`)).toBe(String.raw`(a)\1`);
  });
});

describe('literal index', () => {
  it('finds every occurrence, overlapping ones too', () => {
    const ix = new LiteralIndex(['ana', 'nan', 'a', 'بنان']);
    const found = ix.scan('banana بنانا');
    const at = (lit: string) => found.get(ix.id(lit)!) ?? [];
    expect([at('ana'), at('nan'), at('a'), at('بنان')]).toEqual([[1, 3], [2], [1, 3, 5], [7]]);
  });
});

// Normalisation reads a per-unit table (replacement, then lowercase when that stays one unit) and detection
// counts code units; these outputs were recorded from the per-character implementation they replaced.
describe('normalisation and language edge cases', () => {
  it.each([
    ['İSTANBUL Σ ﬁre', 'İstanbul σ ﬁre', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 'en'],
    ['سرت–مصراتة  ', 'سرت مصراته', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12], 'ar'],
    ['Al\u2014Jufra\u00a0\u00a0base', 'al jufra base', [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14], 'en'],
    ['a_b /c', 'a b /c', [0, 1, 2, 3, 4, 5, 6], 'en'],
    [
      '\ud83d\ude00 \u0642\u0635\u0641 \ud83d\ude00 shelling',
      '😀 قصف 😀 shelling',
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18],
      'en',
    ],
  ])('%j', (input, text, map, language) => {
    expect(normalizeWithMap(input)).toEqual({ text, map });
    expect(detectLanguage(input)).toBe(language);
  });
});
