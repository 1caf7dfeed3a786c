// Shared by the pipeline integration tests: narratives of one shelling incident told in English and Arabic,
// an unrelated road reopening at the same place, and a wait for the workers.
import { makeReport } from '../helpers/factories.ts';

export const shellingEn = () => makeReport({
  observedAt: '2020-11-14T05:40:00+02:00', lat: 31.205, lon: 16.588, placeName: 'Sirte', partyAlleged: 'LAAF',
  narrative: 'Artillery shelling hit GNA positions east of Sirte near Abu Grein at 0540L; approx. 12 rounds impacted, 2 fighters injured.',
});
export const shellingAr = () => makeReport({
  observedAt: '2020-11-14T07:30:00+02:00', lat: 31.22, lon: 16.61, placeName: 'سرت', partyAlleged: 'LAAF',
  narrative: 'قصف مدفعي استهدف مواقع قوات الوفاق شرق سرت قرب أبو قرين فجر اليوم، سقوط نحو 12 قذيفة وإصابة مقاتلين اثنين.',
});
export const roadReopened = () => makeReport({
  observedAt: '2020-11-14T10:00:00+02:00', lat: 31.2, lon: 16.59, placeName: 'Sirte', partyAlleged: 'unknown',
  narrative: 'The western gate checkpoint of Sirte on the coastal road reopened to civilian traffic this morning; trucks passing freely.',
});

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
