// Field reports for the commission-page tests: three incidents far apart in place or time (so any
// deduplication keeps them apart), in English and Arabic, one with a photo whose EXIF disagrees.
import type { SeedIncident } from './review-seed.ts';

const SIRTE = { lat: 31.205, lon: 16.588 };

export const FIXTURE: SeedIncident[] = [
  {
    reports: [
      {
        narrative:
          'Heavy shelling heard east of Sirte at dawn, three impacts near the Abu Hadi checkpoint. Own observation.',
        language: 'en',
        observedAt: '2020-11-14T05:40:00+02:00',
        ...SIRTE,
        placeName: 'Sirte',
        partyAlleged: 'LAAF',
        evidence: { hostilities: ['Heavy shelling', 'three impacts'] },
        stance: 'violation',
        // Taken 40 km away and 6 h earlier than reported: the page must warn.
        photo: { takenAt: '2020-11-13T23:40:00+02:00', lat: 31.1, lon: 16.2 },
      },
      {
        narrative: 'Second team confirms artillery fire near Abu Hadi, smoke visible from the coastal road.',
        language: 'en',
        observedAt: '2020-11-14T06:30:00+02:00',
        lat: 31.19,
        lon: 16.6,
        placeName: 'Sirte',
        partyAlleged: 'unknown',
        evidence: { hostilities: ['artillery fire'] },
        stance: 'violation',
        photo: { takenAt: '2020-11-14T06:25:00+02:00', lat: 31.191, lon: 16.601 },
      },
    ],
  },
  {
    reports: [
      {
        narrative: 'أعيد فتح الطريق الساحلي بين مصراتة وسرت أمام حركة المدنيين صباح اليوم.',
        language: 'ar',
        observedAt: '2020-11-20T09:00:00+02:00',
        lat: 32.377,
        lon: 15.092,
        placeName: 'Misrata',
        partyAlleged: 'GNA',
        evidence: { road_opening: ['أعيد فتح الطريق الساحلي'] },
        stance: 'compliance',
      },
    ],
  },
  {
    reports: [
      {
        narrative: 'About forty foreign fighters arrived by cargo plane at Ubari airstrip and moved to the oil field.',
        language: 'en',
        observedAt: '2020-12-02T14:10:00+02:00',
        lat: 26.59,
        lon: 12.78,
        placeName: 'Ubari',
        partyAlleged: 'foreign',
        evidence: { mercenary_withdrawal: ['foreign fighters arrived'], oil_facilities: ['oil field'] },
        stance: 'violation',
      },
    ],
  },
];
