// The analysis the workers run, built from the classify/ and dedup/ modules the eval command also uses:
// classification, place resolution, dedup features, and the assignment decision over a candidate store.
import { loadAgreement } from '../agreements/index.ts';
import { classify } from '../classify/classify.ts';
import { loadPairModel } from '../dedup/pair-model.ts';
import { loadGazetteer } from '../classify/places.ts';
import { candidateQuery, decideAssignment } from '../dedup/dedup.ts';
import { blockKey, geoCell, locatedFeatures } from '../dedup/features.ts';
import type { Analyzer } from './types.ts';

// Bump when stored results should be recomputed by a reprocessing run (new lexicon semantics, new features).
const ANALYSIS_REVISION = 1;

export function createAnalyzer(agreementId: string): Analyzer {
  const agreement = loadAgreement(agreementId);
  const gazetteer = loadGazetteer(agreement.gazetteer);
  return {
    version: `${agreement.id}/${ANALYSIS_REVISION}`,
    analyze(report) {
      const c = classify(
        { narrative: report.narrative, partyAlleged: report.partyAlleged, placeName: report.placeName },
        agreement,
      );
      // An implausible point (outside the area, swapped) gives way to what is likely true; the report keeps its own.
      const { features, place, flags } = locatedFeatures(report, c, agreement);
      // The block key: the gazetteer place, else the typed name's skeleton (never shown as a place name).
      const key = blockKey(features);
      return {
        language: c.language,
        normalizedText: c.normalizedText,
        classification: {
          terms: c.terms,
          stance: c.stance,
          stanceConfidence: c.stanceConfidence,
          stanceEvidence: c.stanceEvidence,
          agreementId: agreement.id,
          // Which model decided, how sure it is, and what the lexicon alone said: reviewers and retraining read these.
          model: c.model,
        },
        place: {
          key,
          name: place.name ?? (features.placeKey ? (gazetteer.byId.get(features.placeKey)?.name ?? null) : null),
          lat: features.lat,
          lon: features.lon,
        },
        geoCell: features.lat != null && features.lon != null ? geoCell(features.lat, features.lon) : null,
        query: candidateQuery(features),
        features,
        flags,
      };
    },
    async assign(features, query, store) {
      return decideAssignment(features, await store.findCandidates(query), { pairModel: loadPairModel(agreement.id) });
    },
  };
}
