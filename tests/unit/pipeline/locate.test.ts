// The workers, the eval command and the dedup training must read a report's position the same way: a step one of
// them skipped (the out-of-area and swapped-point judgement, say) makes the pair model learn, or be scored on,
// positions the workers never use. Each case goes through all three and the dedup features must agree.
import { describe, expect, it } from 'vitest';
import { loadAgreement } from '../../../src/agreements/index.ts';
import { classify } from '../../../src/classify/classify.ts';
import { dedupFeatures } from '../../../src/dedup/pair-train.ts';
import type { ReportFeatures } from '../../../src/dedup/features.ts';
import { runEval } from '../../../src/eval/index.ts';
import { createAnalyzer } from '../../../src/pipeline/analyzer.ts';
import { reportForProcessing } from '../../helpers/factories.ts';

const agreement = loadAgreement('libya-2020');

interface Case {
  name: string;
  lat: number | null;
  lon: number | null;
  placeName: string | null;
  narrative: string;
}
const cases: Case[] = [
  {
    // A statement geotagged where it was made: no Libyan place is invented for a point in Geneva.
    name: 'a point abroad (Geneva)',
    lat: 46.2044,
    lon: 6.1432,
    placeName: 'Geneva',
    narrative: 'The UN mission said artillery shelling was reported east of Sirte overnight.',
  },
  {
    name: 'a point far outside the area, named nothing',
    lat: 40.7128,
    lon: -74.006,
    placeName: null,
    narrative: 'Convoy of 20 technicals seen moving west of Abu Grein this morning.',
  },
  {
    name: 'latitude and longitude swapped',
    lat: 16.588,
    lon: 31.205,
    placeName: 'Sirte',
    narrative: 'Shelling hit positions east of Sirte at 0540L, 12 rounds.',
  },
  {
    // Inside the agreement's declared area but south of the box around the gazetteer's own places: the area read
    // must be the agreement's, as the workers read it.
    name: 'a point in the far south, inside the declared area',
    lat: 21.0,
    lon: 20.0,
    placeName: null,
    narrative: 'Armed convoy of 15 vehicles crossing south of Kufra toward the border.',
  },
  {
    name: 'a point in the area',
    lat: 31.205,
    lon: 16.588,
    placeName: 'Sirte',
    narrative: 'قصف مدفعي على مواقع شرق سرت فجر اليوم',
  },
];
const observedAt = '2020-11-14T05:40:00+02:00';

const where = (f: ReportFeatures) => ({
  lat: f.lat,
  lon: f.lon,
  positionSource: f.positionSource,
  placeKey: f.placeKey,
  places: f.places,
  cells: f.cells,
});

function byWorker(c: Case): ReportFeatures {
  return createAnalyzer(agreement.id).analyze(
    reportForProcessing({
      observedAt: new Date(observedAt),
      lat: c.lat,
      lon: c.lon,
      placeName: c.placeName,
      narrative: c.narrative,
    }),
  ).features;
}

// The case as a labeled row: what training and the eval command read.
const row = (c: Case) => ({
  id: 'r1',
  lang: 'en' as const,
  observedAt,
  lat: c.lat,
  lon: c.lon,
  placeName: c.placeName,
  narrative: c.narrative,
  partyAlleged: 'unknown',
});

function byTraining(c: Case): ReportFeatures {
  const [d] = dedupFeatures(
    [{ ...row(c), group: 'g', incident: 'i1', classification: classify(row(c), agreement) }],
    agreement,
  );
  return d!.features;
}

async function byEval(c: Case): Promise<ReportFeatures> {
  let features: ReportFeatures | undefined;
  await runEval([{ ...row(c), labels: { terms: ['hostilities'], stance: 'violation', incident: 'i1' } }], {
    trace: (t) => (features = t.features),
  });
  return features!;
}

describe('a report is located the same way by the workers, the eval command and dedup training', () => {
  for (const c of cases)
    it(c.name, async () => {
      const worker = where(byWorker(c));
      expect(where(byTraining(c))).toEqual(worker);
      expect(where(await byEval(c))).toEqual(worker);
    });

  it('a point far abroad is not given the nearest Libyan place (Geneva is not Ras Ajdir)', async () => {
    for (const f of [byWorker(cases[0]!), byTraining(cases[0]!), await byEval(cases[0]!)]) {
      expect(f.placeKey).not.toBe('ras_ajdir');
      expect(f.places).not.toContain('ras_ajdir');
      expect(f.lat).not.toBeCloseTo(46.2, 1);
    }
  });
});
