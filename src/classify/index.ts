// classify/: normalisation (en/ar), language detection, gazetteer and place resolution, term classifier.
// Pure functions over data files (lexicon/<agreementId>.json, gazetteer/<country>.json); no I/O beyond loading them.
export {
  classifyReport,
  classifyWithRules,
  type ClassifyInput,
  type ClassifyResult,
  type TermResult,
  type Evidence,
  type Stance,
  type RuleEvidence,
} from './classifier.ts';
export { classify, type Classification, type ModelReading } from './classify.ts';
export { normalizeText, normalizeWithMap, originalSpan, type NormalizedText } from './normalize.ts';
export { detectLanguage, type Language } from './language.ts';
export {
  resolvePlace,
  searchPlaces,
  placeByName,
  nearestPlace,
  findPlaceMentions,
  loadGazetteer,
  haversineKm,
  type ResolvedPlace,
  type PlaceSuggestion,
  type Place,
} from './places.ts';
export { loadLexicon } from './lexicon.ts';
