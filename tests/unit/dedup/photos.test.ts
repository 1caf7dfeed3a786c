// The photo rule beside the text scores: a near-identical photo joins a blocked candidate that the text alone would
// leave apart (or veto); a different photo, or one too many bits away, changes nothing.
import { describe, expect, it } from 'vitest';
import { decideAssignment, type CandidateIncident } from '../../../src/dedup/dedup.ts';
import { loadPairModel } from '../../../src/dedup/pair-model.ts';
import { PHOTO_MATCH_MAX_DISTANCE, photoMatch } from '../../../src/dedup/photos.ts';
import { makeFeatures } from '../../helpers/factories.ts';

const PHOTO = 'c3a1f0e4b2d59687';
/** The same hash with `bits` low bits flipped. */
const near = (bits: number) => (BigInt(`0x${PHOTO}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(16, '0');

const shelling = makeFeatures({
  observedAt: '2020-11-14T05:40:00+02:00',
  lat: 31.205,
  lon: 16.588,
  placeName: 'Sirte',
  narrative: 'Artillery shelling hit positions east of Sirte at dawn; 12 rounds, 2 fighters injured.',
});
// A terse caption the text model cannot tie to the shelling: another term, another day part.
const caption = makeFeatures({
  observedAt: '2020-11-14T09:10:00+02:00',
  lat: 31.23,
  lon: 16.6,
  placeName: 'Sirte',
  narrative: 'Photo sent by a contact. Road east of the city closed to civilian traffic.',
});
const candidate = (photoHashes?: string[]): CandidateIncident[] => [
  { id: 'incident-1', members: [{ ...shelling, ...(photoHashes ? { photoHashes } : {}) }], separatedFrom: [] },
];

describe('same photo ⇒ same incident', () => {
  const model = loadPairModel('libya-2020');
  for (const [name, opts] of [
    ['rules', {}],
    ['learned pair model', { pairModel: model }],
  ] as const) {
    it(`joins a candidate whose member has a near-identical photo (${name})`, () => {
      expect(decideAssignment(caption, candidate(), opts).incidentId).toBeNull();
      const d = decideAssignment({ ...caption, photoHashes: [near(3)] }, candidate([PHOTO]), opts);
      expect(d.incidentId).toBe('incident-1');
      expect(d.reasons[0]).toBe('same photo as a report of this incident (3 of 64 bits differ)');
    });

    it(`leaves it apart when the photos are unrelated (${name})`, () => {
      const far = near(PHOTO_MATCH_MAX_DISTANCE + 1);
      expect(decideAssignment({ ...caption, photoHashes: [far] }, candidate([PHOTO]), opts).incidentId).toBeNull();
      expect(decideAssignment({ ...caption, photoHashes: [PHOTO] }, candidate(), opts).incidentId).toBeNull();
    });
  }

  it("still respects a reviewer's split", () => {
    const d = decideAssignment({ ...caption, photoHashes: [PHOTO] }, candidate([PHOTO]), {
      excludeIncidentIds: ['incident-1'],
    });
    expect(d.incidentId).toBeNull();
  });

  it('photoMatch gives the closest pair within the threshold', () => {
    expect(photoMatch({ photoHashes: [near(8), near(2)] }, { photoHashes: [PHOTO] })).toEqual({
      distance: 2,
      hashes: [near(2), PHOTO],
    });
    expect(photoMatch({ photoHashes: [near(20)] }, { photoHashes: [PHOTO] })).toBeNull();
    expect(photoMatch({}, { photoHashes: [PHOTO] })).toBeNull();
  });
});
