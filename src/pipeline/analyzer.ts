// The analysis the workers run, built from the classify/ and incidents/ modules the eval command also uses:
// classification, place resolution, dedup features, and the assignment decision over a candidate store.
import { loadAgreement } from '../agreements/index.ts';
import { classifyReport } from '../classify/classifier.ts';
import { loadGazetteer, resolvePlace } from '../classify/places.ts';
import { candidateQuery, decideAssignment } from '../dedup/dedup.ts';
import { extractFeatures, geoCell } from '../dedup/features.ts';
import type { Analyzer } from './types.ts';

// Bump when stored results should be recomputed by a reprocessing run (new lexicon semantics, new features).
const ANALYSIS_REVISION = 1;

export function createAnalyzer(agreementId: string): Analyzer {
  const agreement = loadAgreement(agreementId);
  const gazetteer = loadGazetteer(agreement.gazetteer);
  return {
    version: `${agreement.id}/${ANALYSIS_REVISION}`,
    analyze(report) {
      const c = classifyReport({ narrative: report.narrative, partyAlleged: report.partyAlleged, placeName: report.placeName }, agreement);
      const place = resolvePlace({ lat: report.lat, lon: report.lon, placeName: report.placeName }, gazetteer);
      const features = extractFeatures({ ...report }, c, place, { timeZone: agreement.timezone, gazetteer: agreement.gazetteer });
      const key = features.placeKey;
      return {
        language: c.language,
        normalizedText: c.normalizedText,
        classification: { terms: c.terms, stance: c.stance, stanceConfidence: c.stanceConfidence, stanceEvidence: c.stanceEvidence, agreementId: agreement.id },
        place: { key, name: place.name ?? (key ? gazetteer.byId.get(key)?.name ?? null : null), lat: features.lat, lon: features.lon },
        geoCell: features.lat != null && features.lon != null ? geoCell(features.lat, features.lon) : null,
        query: candidateQuery(features),
        features,
      };
    },
    async assign(features, query, store) {
      return decideAssignment(features, await store.findCandidates(query));
    },
  };
}
